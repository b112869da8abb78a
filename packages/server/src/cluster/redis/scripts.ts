/** Every script of the Redis state, ready to run (lua/ holds their sources). */
import { LuaScript } from './LuaScript.js';
import * as nodes from './lua/nodes.js';
import { RESTORE as restoreSource } from './lua/restore.js';
import * as rooms from './lua/rooms.js';
import * as streams from './lua/streams.js';
import * as users from './lua/users.js';
import * as windows from './lua/windows.js';

export const CLAIM_USER = new LuaScript('claimUser', users.CLAIM_USER);
export const RELEASE_USER = new LuaScript('releaseUser', users.RELEASE_USER);
export const JOIN = new LuaScript('join', rooms.JOIN);
export const LEAVE = new LuaScript('leave', rooms.LEAVE);
export const SNAPSHOT = new LuaScript('snapshot', rooms.SNAPSHOT);
export const SET_EXTRA_INFO = new LuaScript('setExtraInfo', rooms.SET_EXTRA_INFO);
export const BROADCAST = new LuaScript('broadcast', rooms.BROADCAST);
export const PUBLISH_ROOM = new LuaScript('publishRoom', rooms.PUBLISH_ROOM);
export const CLAIM_STREAM = new LuaScript('claimStream', streams.CLAIM_STREAM);
export const UPDATE_STREAM = new LuaScript('updateStream', streams.UPDATE_STREAM);
export const REMOVE_STREAMS = new LuaScript('removeStreams', streams.REMOVE_STREAMS);
export const REGISTER = new LuaScript('register', nodes.REGISTER);
export const HEARTBEAT = new LuaScript('heartbeat', nodes.HEARTBEAT);
export const DEAD_NODES = new LuaScript('deadNodes', nodes.DEAD_NODES);
export const REAP = new LuaScript('reap', nodes.REAP);
export const UNREGISTER = new LuaScript('unregister', nodes.UNREGISTER);
export const RESTORE = new LuaScript('restore', restoreSource);
export const TAKE_FROM_WINDOW = new LuaScript('takeFromWindow', windows.TAKE_FROM_WINDOW);
