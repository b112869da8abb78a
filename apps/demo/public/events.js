/**
 * The SDK's events: every one is logged; the call flow reacts to some (room state, users and streams coming
 * and going, publish and play state, quality, remote mute, token expiry).
 */
import { ui } from './dom.js';
import { abbreviate } from './format.js';
import { failCall } from './leave.js';
import { setPublishChip } from './local.js';
import { log, logEvent } from './log.js';
import { DemoError, errorParts, inCallStatus, setStatus, showError, showRoomState } from './notices.js';
import { renderQuality } from './quality.js';
import { addRemote, removeRemote, tiles, updateRoomSummary, users } from './remotes.js';
import { session } from './session.js';
import { fillDevToken } from './settings.js';

/** The events the call flow listens to, then a few more that are only logged. */
const EVENTS = [
  'roomStateChanged',
  'roomUserUpdate',
  'roomStreamUpdate',
  'publisherStateUpdate',
  'playerStateUpdate',
  'publishQualityUpdate',
  'playQualityUpdate',
  'remoteCameraStatusUpdate',
  'remoteMicStatusUpdate',
  'playerRecvVideoFirstFrame',
  'IMRecvBroadcastMessage',
  'IMRecvCustomCommand',
  'roomOnlineUserCountUpdate',
  'streamExtraInfoUpdate',
  'roomExtraInfoUpdate',
  'playerMediaEvent',
  'tokenWillExpire',
];

const HANDLERS = {
  roomStateChanged(_roomID, reason, errorCode) {
    showRoomState(reason, errorCode);
    if (session.state !== 'in-call' && session.state !== 'joining') return;
    if (reason === 'RECONNECTING') {
      setStatus('The connection dropped: reconnecting…');
    } else if (reason === 'RECONNECTED' && session.state === 'in-call') {
      setStatus(inCallStatus());
    } else if (reason === 'KICKOUT' || reason === 'RECONNECT_FAILED') {
      const title = reason === 'KICKOUT' ? 'Removed from the room' : 'Connection lost';
      const msg =
        reason === 'KICKOUT'
          ? 'this user was logged out of the room by the server'
          : 'the connection to the server dropped and could not be restored';
      // Out of the SDK's own call stack before the engine is destroyed.
      setTimeout(() => failCall(title, new DemoError(errorCode || null, msg), reason, errorCode), 0);
    }
  },

  roomUserUpdate(_roomID, updateType, userList) {
    for (const user of userList ?? []) {
      if (user.userID === session.call?.userID) continue;
      if (updateType === 'ADD') users.set(user.userID, user);
      else users.delete(user.userID);
    }
    updateRoomSummary();
  },

  roomStreamUpdate(_roomID, updateType, streamList) {
    for (const stream of streamList ?? []) {
      if (updateType === 'ADD') void addRemote(stream);
      else removeRemote(stream.streamID);
    }
  },

  publisherStateUpdate(result) {
    if (result.streamID !== session.call?.streamID) return;
    if (result.state === 'PUBLISHING') {
      setPublishChip('ok', 'Publishing');
    } else if (result.state === 'PUBLISH_REQUESTING') {
      setPublishChip('pending', result.errorCode ? 'Retrying…' : 'Connecting…');
    } else {
      session.lastPublishError = result.errorCode;
      setPublishChip(
        result.errorCode ? 'bad' : 'idle',
        result.errorCode ? `Failed · ${result.errorCode}` : 'Not publishing',
      );
      if (result.errorCode && session.state === 'in-call') {
        showError(
          'Publishing stopped',
          new DemoError(result.errorCode, `${result.streamID} is no longer published`),
        );
      }
    }
  },

  playerStateUpdate(result) {
    const tile = tiles.get(result.streamID);
    if (!tile) return;
    if (result.state === 'PLAYING') {
      if (tile.video.srcObject) tile.el.dataset.phase = 'playing';
    } else if (result.state === 'PLAY_REQUESTING' && result.errorCode) {
      tile.el.dataset.phase = 'connecting';
      tile.statusText.textContent = `Reconnecting (error ${result.errorCode})…`;
    } else if (result.state === 'NO_PLAY' && result.errorCode) {
      tile.el.dataset.phase = 'failed';
      tile.statusText.textContent = `Stopped playing (error ${result.errorCode})`;
    }
  },

  publishQualityUpdate(streamID, stats) {
    if (streamID === session.call?.streamID) renderQuality(ui.localQuality, stats);
  },

  playQualityUpdate(streamID, stats) {
    const tile = tiles.get(streamID);
    if (tile) renderQuality(tile.quality, stats);
  },

  remoteCameraStatusUpdate(streamID, status) {
    const tile = tiles.get(streamID);
    if (tile) tile.el.dataset.cam = status === 'MUTE' ? 'off' : 'on';
  },

  remoteMicStatusUpdate(streamID, status) {
    const tile = tiles.get(streamID);
    if (tile) tile.el.dataset.mic = status === 'MUTE' ? 'off' : 'on';
  },

  playerRecvVideoFirstFrame(streamID) {
    const tile = tiles.get(streamID);
    if (tile) tile.el.dataset.firstFrame = 'true';
  },

  tokenWillExpire(roomID) {
    const { zg: engine, call, devApp } = session;
    if (!engine || !call || devApp === null || call.appID !== devApp.appID) return;
    const userID = call.userID;
    fillDevToken(call.appID, userID)
      .then((token) => {
        if (engine !== session.zg) return;
        const sent = engine.renewToken(token, roomID);
        log(sent ? 'action' : 'error', 'renewToken', [abbreviate(token), roomID, sent]);
      })
      .catch((err) => log('error', 'token renewal failed', errorParts(err)));
  },
};

/** Logs `engine`'s events and hands them to their handlers, as long as it is the current call's engine. */
export function listen(engine) {
  for (const name of EVENTS) {
    engine.on(name, (...args) => {
      if (engine !== session.zg) return;
      logEvent(name, args);
      const handler = HANDLERS[name];
      if (!handler) return;
      try {
        handler(...args);
      } catch (err) {
        log('error', `${name} handler failed`, errorParts(err));
        console.error(err);
      }
    });
  }
}
