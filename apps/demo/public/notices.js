/**
 * What the page tells the user: the status line, the room-state badge in the top bar, the error alert with a
 * hint for the errors people meet here, and the messages next to form fields.
 */
import { byId, ui } from './dom.js';
import { devAppMatches, session } from './session.js';

/** roomStateChanged reason → badge tone and text. */
const ROOM_STATES = {
  LOGINING: ['pending', 'Logging in…'],
  LOGINED: ['ok', 'Connected'],
  LOGIN_FAILED: ['bad', 'Login failed'],
  RECONNECTING: ['pending', 'Reconnecting…'],
  RECONNECTED: ['ok', 'Connected'],
  RECONNECT_FAILED: ['bad', 'Connection lost'],
  KICKOUT: ['bad', 'Kicked out'],
  LOGOUT: ['idle', 'Not connected'],
};

/** What to do about the errors people meet on this page. */
const HINTS = {
  1001004: 'The AppID is a number from 1 to 4294967295.',
  1002005: 'Enter a UserID.',
  1002006: "A UserID may use letters, digits and ~!@#$%^&*()_+=-`;',.<>/\\ only.",
  1002007: 'A UserID is at most 64 bytes long.',
  1002011: 'Enter a RoomID.',
  1002012: "A RoomID may use letters, digits and ~!@#$%^&*()_+=-`;',.<>/\\ only.",
  1002013: 'A RoomID is at most 128 bytes long.',
  1002031: 'The server did not answer in time: is it running and reachable from this browser?',
  1100002: 'The server did not answer in time: is it running and reachable from this browser?',
  1002034: 'The room is full.',
  1002050: 'Somebody logged in with the same UserID elsewhere: give every tab its own UserID.',
  1002053: 'The connection to the server could not be restored.',
  1002055: 'The server removed this user from the room.',
  1002077: 'The token was made for another UserID: get a token for this UserID.',
  1002078: 'The token has expired: get a new one.',
  1102018: 'The token has expired: get a new one.',
  1102016: 'Use a token made for this AppID and UserID with this app’s ServerSecret.',
  1002082: 'The token does not allow publishing: generate one with the publish privilege.',
  1003028: 'Somebody else already publishes this stream: use a different UserID.',
  1103061: 'No camera or microphone could be opened: check the devices, or switch on “Audio only”.',
  1103064: 'Allow this page to use the camera and microphone (see the address bar), then join again.',
  1103065: 'Another application may be using the camera or microphone.',
  1000040: 'The media server has no capacity left.',
};

/** The field an error code is about, and what to say next to it. */
export const FIELD_OF_CODE = {
  1001004: ['appID', 'The AppID is a number from 1 to 4294967295.'],
  1002005: ['userID', 'Enter a UserID.'],
  1002006: ['userID', 'This UserID has characters that are not allowed.'],
  1002007: ['userID', 'This UserID is too long.'],
  1002011: ['roomID', 'Enter a RoomID.'],
  1002012: ['roomID', 'This RoomID has characters that are not allowed.'],
  1002013: ['roomID', 'This RoomID is too long.'],
  1002077: ['token', 'This token was made for another UserID.'],
  1002078: ['token', 'This token has expired.'],
  1102016: ['token', 'The server refused this token.'],
  1102018: ['token', 'This token has expired.'],
};

/** An error of the page itself, shaped like the SDK's `{code, msg}` rejections. */
export class DemoError extends Error {
  constructor(code, msg) {
    super(msg);
    this.name = 'DemoError';
    this.code = code;
    this.msg = msg;
  }
}

export function setStatus(text) {
  ui.status.textContent = text;
}

export function showRoomState(reason, errorCode) {
  const [tone, text] = ROOM_STATES[reason] ?? ['idle', reason];
  ui.roomState.dataset.tone = tone;
  ui.roomStateText.textContent = text;
  ui.roomStateReason.textContent = errorCode ? `${reason} ${errorCode}` : reason;
}

/** The status line while in a call. */
export function inCallStatus() {
  const call = session.call;
  return call ? `In ${call.roomID} as ${call.userID}, publishing ${call.streamID}.` : '';
}

/** `{code, msg}` of an SDK rejection, a DemoError or anything else thrown (code null when there is none). */
export function errorParts(err) {
  const code = typeof err?.code === 'number' ? err.code : null;
  let msg;
  if (typeof err?.msg === 'string') msg = err.msg;
  else if (typeof err?.message === 'string') msg = err.message;
  else msg = String(err);
  return { code, msg };
}

function hintFor(code) {
  if (code === null) return null;
  if (FIELD_OF_CODE[code]?.[0] === 'token' && devAppMatches()) {
    return 'Clear the Token field to have a development token fetched at Join, or click “Get a development token”.';
  }
  return HINTS[code] ?? null;
}

/** Shows the error alert: title, error code, message and what to do about it. */
export function showError(title, err) {
  const { code, msg } = errorParts(err);
  ui.errorTitle.textContent = title;
  ui.errorCode.hidden = code === null;
  ui.errorCode.textContent = code === null ? '' : `Error ${code}`;
  ui.errorMsg.textContent = msg;
  const hint = hintFor(code);
  ui.errorHint.hidden = hint === null;
  ui.errorHint.textContent = hint ?? '';
  ui.error.hidden = false;
}

export function hideError() {
  ui.error.hidden = true;
}

/** Marks a form field (appID, roomID, userID, token) invalid with a message under it. */
export function fieldError(name, text) {
  const input = ui[name];
  const message = byId(`${name}Error`);
  input.setAttribute('aria-invalid', 'true');
  message.textContent = text;
  message.hidden = false;
}

export function clearFieldError(name) {
  ui[name].removeAttribute('aria-invalid');
  const message = byId(`${name}Error`);
  message.hidden = true;
  message.textContent = '';
}
