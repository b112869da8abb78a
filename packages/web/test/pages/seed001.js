// Seed 001 (Web, "实现音频通话"): its JavaScript as printed, step by step, in the order the page walks it.
// The test puts this into a page after either the import line (`import { ZegoExpressEngine } from
// '/sdk/parley.mjs'`) or a `<script src="/sdk/parley.js">`, defines what the seed leaves to the developer
// (appID's value, roomID, userID, userName, token, streamID, remoteAudio) and inserts its observers at the
// `@parley-test` lines. Nothing else is changed: `server` stays "" (the seed allows it since 3.6.0: the page's
// own server). The two `const result` of §2.3 and §2.4 sit in their own blocks, as they would in an app's
// functions, and the seed's last line `zg = null` is left out: the seed declares `zg` with `const`.

// 2.2 创建引擎并监听回调
// 项目唯一标识 AppID,Number 类型,请从 ZEGO 控制台获取
let appID = APP_ID;
// 接入服务器地址 Server,String 类型,请从 ZEGO 控制台获取(获取方式请参考上文“前提条件”)
let server = "";
// 初始化实例
const zg = new ZegoExpressEngine(appID, server);

// 房间状态更新回调
zg.on('roomStateChanged', (roomID, reason, errorCode, extendData) => {
    if (reason == 'LOGINING') {
        // 登录中
    } else if (reason == 'LOGINED') {
        // 登录成功
        //只有当房间状态是登录成功或重连成功时,推流(startPublishingStream)、拉流(startPlayingStream)才能正常收发音视频
        //将自己的音视频流推送到 ZEGO 音视频云
    } else if (reason == 'LOGIN_FAILED') {
        // 登录失败
    } else if (reason == 'RECONNECTING') {
        // 重连中
    } else if (reason == 'RECONNECTED') {
        // 重连成功
    } else if (reason == 'RECONNECT_FAILED') {
        // 重连失败
    } else if (reason == 'KICKOUT') {
        // 被踢出房间
    } else if (reason == 'LOGOUT') {
        // 登出成功
    } else if (reason == 'LOGOUT_FAILED') {
        // 登出失败
    }
});

// 用户状态更新回调
zg.on('roomUserUpdate', (roomID, updateType, userList) => {
    console.warn(
        `roomUserUpdate: room ${roomID}, user ${updateType === 'ADD' ? 'added' : 'left'} `,
        JSON.stringify(userList),
    );
});

// 流状态更新回调
zg.on('roomStreamUpdate', async (roomID, updateType, streamList, extendedData) => {
    if (updateType == 'ADD') {
        // 流新增,开始拉流
    } else if (updateType == 'DELETE') {
        // 流删除,停止拉流
    }
});

// @parley-test: observe

// 2.3 (可选)检测兼容性
{
const result = await zg.checkSystemRequirements();
// 返回的 result 为兼容性检测结果。 webRTC 为 true 时表示支持 webRTC,其他属性含义可以参考接口 API 文档。
console.log(result);
// @parley-test: capabilities
}

// 2.4 登录房间
{
// 登录房间,成功则返回 true
// userUpdate 设置为 true 会开启监听 roomUserUpdate 回调,默认情况下不会开启该监听
const result = await zg.loginRoom(roomID, token, { userID: userID, userName: userName}, {userUpdate: true});
// @parley-test: logined
}

// 2.5 推流
// 调用 createZegoStream 接口后,需要等待 ZEGO 服务器返回 ZegoLocalStream 实例对象才能执行后续操作
const localStream = await zg.createZegoStream({camera :{audio:true,video:false}});
// 调用 localStream 实例上 playAudio 方法播放推流前或者推流中音频预览
localStream.playAudio();

// localStream 为创建流获取的 MediaStream 对象
zg.startPublishingStream(streamID, localStream)

zg.on('publisherStateUpdate', result => {
    // 推流状态更新回调
    // ...
})

zg.on('publishQualityUpdate', (streamID, stats) => {
    // 推流质量回调
    // ...
})

// 2.6 拉流
const remoteStream = await zg.startPlayingStream(streamID);

// remoteAudio为本地<video>或<audio>对象
remoteAudio.srcObject = remoteStream;

zg.on('playerStateUpdate', result => {
    // 拉流状态更新回调
    // ...
})

zg.on('playQualityUpdate', (streamID,stats) => {
    // 拉流质量回调
})

// @parley-test: in call

// 2.8 停止音视频通话
zg.stopPublishingStream(streamID)

// localStream 是调用 createZegoStream 接口获取的 ZegoLocalStream 实例对象
zg.destroyStream(localStream)

zg.stopPlayingStream(streamID)

zg.logoutRoom(roomID)

zg.destroyEngine()

// @parley-test: ended
