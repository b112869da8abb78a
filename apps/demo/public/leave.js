/**
 * Leaving a call: End (or Cancel while joining), a call the server broke (kicked out, connection lost), and
 * the teardown both share, which stops plays, publish, capture, room and engine in that order.
 */
import { resetLocal, updateLocalName } from './local.js';
import { log } from './log.js';
import { errorParts, hideError, setStatus, showError, showRoomState } from './notices.js';
import { setState } from './page.js';
import { tiles, updateGrid, users } from './remotes.js';
import { session } from './session.js';

/** Runs one clean-up step, logging it; a failing step never stops the next. */
function step(name, args, fn) {
  log('action', name, args);
  try {
    fn();
  } catch (err) {
    log('error', `${name} threw`, errorParts(err));
  }
}

/** Stops everything of the current call (plays, publish, capture, room, engine) and clears the page. */
export function teardown() {
  const engine = session.zg;
  const stream = session.local;
  const info = session.call;
  for (const [id, tile] of tiles) {
    if (engine) step('stopPlayingStream', [id], () => engine.stopPlayingStream(id));
    tile.video.srcObject = null;
    tile.el.remove();
  }
  tiles.clear();
  users.clear();
  if (engine) {
    if (session.publishing && info)
      step('stopPublishingStream', [info.streamID], () => engine.stopPublishingStream(info.streamID));
    if (stream) step('destroyStream', ['<local stream>'], () => engine.destroyStream(stream));
    if (info) step('logoutRoom', [info.roomID], () => engine.logoutRoom(info.roomID));
    step('destroyEngine', [], () => engine.destroyEngine());
  } else if (stream) {
    for (const track of stream.getTracks()) track.stop();
  }
  session.zg = null;
  session.local = null;
  session.publishing = false;
  session.call = null;
  resetLocal();
  updateGrid();
  updateLocalName();
}

/** End, or Cancel while joining: back to the form. */
export function end() {
  if (session.state !== 'joining' && session.state !== 'in-call') return;
  session.generation++;
  const wasJoining = session.state === 'joining';
  setState('leaving');
  setStatus('Leaving the room…');
  teardown();
  setState('idle');
  hideError();
  setStatus(wasJoining ? 'Join cancelled.' : 'Left the room. Join again, or change the settings first.');
}

/** The call broke (kicked out, connection lost): clean up and go back to the form with the error shown. */
export function failCall(title, err, reason, errorCode) {
  if (session.state !== 'in-call' && session.state !== 'joining') return;
  session.generation++;
  log('error', title, errorParts(err));
  teardown();
  setState('error');
  showRoomState(reason, errorCode);
  showError(title, err);
  setStatus('Not connected.');
}
