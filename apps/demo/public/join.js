/**
 * Joining a call: read the form, get a development token if the Token field is empty, create the engine, log
 * in, capture the camera and microphone, publish. A join cancelled or failed meanwhile gives up cleanly.
 */
import { ZegoExpressEngine } from '/sdk/parley.mjs';
import { ui } from './dom.js';
import { listen } from './events.js';
import { abbreviate } from './format.js';
import { teardown } from './leave.js';
import { updateLocalName } from './local.js';
import { log } from './log.js';
import {
  DemoError,
  errorParts,
  FIELD_OF_CODE,
  fieldError,
  hideError,
  inCallStatus,
  setStatus,
  showError,
} from './notices.js';
import { setState } from './page.js';
import { session } from './session.js';
import { fillDevToken, readForm } from './settings.js';

/** A stream captured for a join that was cancelled meanwhile: its camera must not stay on. */
function discardStream(engine, stream) {
  try {
    engine.destroyStream(stream);
  } catch {
    for (const track of stream.getTracks()) track.stop();
  }
}

function showCallInfo(info) {
  ui.infoAppID.textContent = String(info.appID);
  ui.infoRoomID.textContent = info.roomID;
  ui.infoUserID.textContent = info.userID;
  ui.infoStreamID.textContent = info.streamID;
}

/** Join (the form submitted): from the form to publishing in the room. */
export async function join() {
  if (session.state !== 'idle' && session.state !== 'error') return;
  const input = readForm();
  if (!input) return;
  const gen = ++session.generation;
  hideError();
  session.call = {
    appID: input.appID,
    roomID: input.roomID,
    userID: input.userID,
    streamID: input.streamID,
    audioOnly: input.audioOnly,
  };
  showCallInfo(session.call);
  updateLocalName();
  setState('joining');
  try {
    let token = input.token;
    if (!token) {
      setStatus('Getting a development token…');
      token = await fillDevToken(input.appID, input.userID);
      if (gen !== session.generation) return;
    }

    setStatus(`Logging in to ${input.roomID}…`);
    log('action', 'new ZegoExpressEngine', [input.appID, '']);
    const engine = new ZegoExpressEngine(input.appID, '');
    session.zg = engine;
    listen(engine);
    const user = { userID: input.userID, userName: input.userID };
    const config = { userUpdate: true };
    log('action', 'loginRoom', [input.roomID, abbreviate(token), user, config]);
    await engine.loginRoom(input.roomID, token, user, config);
    if (gen !== session.generation) return;

    setStatus(input.audioOnly ? 'Starting the microphone…' : 'Starting the camera and microphone…');
    const streamConfig = { camera: { audio: true, video: !input.audioOnly } };
    log('action', 'createZegoStream', [streamConfig]);
    const stream = await engine.createZegoStream(streamConfig);
    if (gen !== session.generation) {
      discardStream(engine, stream);
      return;
    }
    session.local = stream;
    stream.playVideo(ui.preview);
    ui.localTile.dataset.live = String(stream.getVideoTracks().length > 0);
    if (input.audioOnly) {
      ui.muteCam.disabled = true;
      ui.muteCam.title = 'Audio only: no camera to mute';
    }

    setStatus(`Publishing ${input.streamID}…`);
    log('action', 'startPublishingStream', [input.streamID, '<local stream>']);
    session.lastPublishError = 0;
    if (!engine.startPublishingStream(input.streamID, stream)) {
      throw new DemoError(
        session.lastPublishError || null,
        `startPublishingStream refused ${input.streamID}`,
      );
    }
    session.publishing = true;
    setState('in-call');
    setStatus(inCallStatus());
  } catch (err) {
    if (gen !== session.generation) return; // cancelled: End already cleaned up
    session.generation++;
    const parts = errorParts(err);
    log('error', 'join failed', parts);
    const field = parts.code === null ? undefined : FIELD_OF_CODE[parts.code];
    teardown();
    setState('error');
    showError('Could not join', err);
    if (field) fieldError(field[0], field[1]);
    setStatus('Not connected. Check the settings and join again.');
  }
}
