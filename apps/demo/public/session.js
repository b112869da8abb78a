/**
 * What the page knows: its state, the server's development app and the current call. One shared object, so
 * that every module reads and writes the same values.
 */
import { ui } from './dom.js';

export const session = {
  /** 'loading' until the page is ready, then idle | joining | in-call | leaving | error. */
  state: 'loading',
  /** The server's development app `{appID, tokenTtlSeconds}`, or null when it has none. */
  devApp: null,
  /** The engine of the current call (null outside one). */
  zg: null,
  /** The captured camera and microphone of the current call. */
  local: null,
  /** What the current call joined: `{appID, roomID, userID, streamID, audioOnly}`. */
  call: null,
  /** True once startPublishingStream accepted the local stream. */
  publishing: false,
  /** Bumped by every join, end and failure: an older join that resumes after an await sees it and gives up. */
  generation: 0,
  /** The error code of the last NO_PUBLISH (startPublishingStream reports its refusals there). */
  lastPublishError: 0,
};

/** True when the AppID field names the server's development app (whose tokens the server hands out). */
export function devAppMatches() {
  return session.devApp !== null && ui.appID.value.trim() === String(session.devApp.appID);
}
