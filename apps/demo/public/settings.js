/**
 * The settings form: its first values (from the URL, else random IDs), the Token field's hint, development
 * tokens from the server (`GET /dev/app`, `POST /dev/token`), and reading and checking the form at Join.
 */
import { ui } from './dom.js';
import { abbreviate, formatDuration } from './format.js';
import { updateLocalName } from './local.js';
import { log } from './log.js';
import {
  clearFieldError,
  DemoError,
  errorParts,
  fieldError,
  hideError,
  setStatus,
  showError,
} from './notices.js';
import { devAppMatches, session } from './session.js';

const MAX_APP_ID = 4294967295;

/** The development token last put in the Token field, to clear it when the UserID it was made for changes. */
let devToken = null;
let fetchingToken = false;

function randomDigits(count) {
  const [n] = crypto.getRandomValues(new Uint32Array(1));
  return String(n % 10 ** count).padStart(count, '0');
}

function streamIdOf(userID) {
  return `${userID.replace(/[^0-9A-Za-z_-]/g, '_')}-main`;
}

/** Fills the form from the URL (`?roomID=…&userID=…&appID=…`), with a random RoomID and UserID by default. */
export function prefillForm() {
  const params = new URLSearchParams(location.search);
  ui.roomID.value = params.get('roomID') || `room-${randomDigits(4)}`;
  ui.userID.value = params.get('userID') || `user-${randomDigits(4)}`;
  if (params.get('appID')) ui.appID.value = params.get('appID');
}

/** The Get-token button and the Token field's hint, for the AppID typed and the page's state. */
export function updateTokenUi() {
  const matches = devAppMatches();
  const busy = session.state !== 'idle' && session.state !== 'error';
  ui.getToken.disabled = !matches || fetchingToken || busy;
  ui.getToken.setAttribute('aria-busy', String(fetchingToken));
  let hint;
  if (session.state === 'loading') {
    hint = 'Checking the server…';
  } else if (session.devApp === null) {
    hint =
      'This server has no development app: paste a token made by your token server for this AppID and UserID.';
  } else if (matches) {
    const ttl = formatDuration(session.devApp.tokenTtlSeconds);
    hint = `Leave it empty and a development token for this UserID is fetched at Join${ttl ? ` (valid ${ttl})` : ''}.`;
  } else {
    hint = `Development tokens are only handed out for AppID ${session.devApp.appID}; for another app, paste its token here.`;
  }
  ui.tokenHint.textContent = hint;
}

/** A development token no longer fits once its UserID or AppID changes: take it out of the field. */
function dropStaleDevToken() {
  if (devToken === null || ui.token.value.trim() !== devToken.token) return;
  if (ui.userID.value.trim() !== devToken.userID || ui.appID.value.trim() !== String(devToken.appID)) {
    ui.token.value = '';
    devToken = null;
  }
}

/** Asks the server for its development app; its AppID goes into an empty AppID field. */
export async function loadDevApp() {
  try {
    const res = await fetch('/dev/app', { cache: 'no-store' });
    const body = await res.json().catch(() => null);
    if (res.ok && Number.isInteger(body?.appID)) {
      session.devApp = { appID: body.appID, tokenTtlSeconds: Number(body.tokenTtlSeconds) || 0 };
      if (!ui.appID.value.trim()) ui.appID.value = String(body.appID);
      log('action', 'GET /dev/app', body);
    } else {
      session.devApp = null;
      log('action', 'GET /dev/app', { status: res.status, ...(body ?? {}) });
    }
  } catch (err) {
    session.devApp = null;
    log('error', 'GET /dev/app failed', errorParts(err));
  }
}

/** Asks the server for a development token, puts it in the Token field and returns it. */
export async function fillDevToken(appID, userID) {
  log('action', 'POST /dev/token', { appID, userID });
  let res;
  try {
    res = await fetch('/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appID, userID }),
    });
  } catch (err) {
    throw new DemoError(
      null,
      `the server could not be reached for a development token (${errorParts(err).msg})`,
    );
  }
  const body = await res.json().catch(() => null);
  if (!res.ok || typeof body?.token !== 'string') {
    const reason = typeof body?.error === 'string' ? body.error : res.statusText;
    log('error', 'POST /dev/token refused', { status: res.status, ...(body ?? {}) });
    throw new DemoError(
      typeof body?.code === 'number' ? body.code : null,
      `no development token (HTTP ${res.status}): ${reason}`,
    );
  }
  ui.token.value = body.token;
  devToken = { appID, userID, token: body.token };
  clearFieldError('token');
  log('action', 'development token', {
    token: abbreviate(body.token),
    expiresInSeconds: body.expiresInSeconds,
  });
  return body.token;
}

async function onGetToken() {
  const appID = Number(ui.appID.value.trim());
  const userID = ui.userID.value.trim();
  if (!userID) {
    fieldError('userID', 'Enter a UserID first: the token is made for it.');
    ui.userID.focus();
    return;
  }
  hideError();
  fetchingToken = true;
  updateTokenUi();
  try {
    await fillDevToken(appID, userID);
    setStatus(`Development token ready for ${userID}.`);
  } catch (err) {
    showError('Could not get a development token', err);
  } finally {
    fetchingToken = false;
    updateTokenUi();
  }
}

/** The form's values, or null (with the problems shown next to the fields) when one is missing or wrong. */
export function readForm() {
  for (const name of ['appID', 'roomID', 'userID', 'token']) clearFieldError(name);
  const appText = ui.appID.value.trim();
  const roomID = ui.roomID.value.trim();
  const userID = ui.userID.value.trim();
  ui.appID.value = appText;
  ui.roomID.value = roomID;
  ui.userID.value = userID;
  const appID = Number(appText);
  const invalid = [];
  if (!/^\d+$/.test(appText) || appID < 1 || appID > MAX_APP_ID) {
    fieldError('appID', appText ? 'The AppID is a number from 1 to 4294967295.' : 'Enter the AppID.');
    invalid.push('appID');
  }
  if (!roomID) {
    fieldError('roomID', 'Enter a RoomID.');
    invalid.push('roomID');
  }
  if (!userID) {
    fieldError('userID', 'Enter a UserID.');
    invalid.push('userID');
  }
  const token = ui.token.value.trim();
  if (invalid.length === 0 && !token && !devAppMatches()) {
    fieldError('token', 'Paste a token for this AppID and UserID.');
    invalid.push('token');
  }
  if (invalid.length > 0) {
    ui[invalid[0]].focus();
    return null;
  }
  return { appID, roomID, userID, token, audioOnly: ui.audioOnly.checked, streamID: streamIdOf(userID) };
}

/** The Get-token button, and the fields' messages and dependants kept up to date while typing. */
export function wireSettings() {
  ui.getToken.addEventListener('click', () => void onGetToken());
  for (const name of ['appID', 'userID']) {
    ui[name].addEventListener('input', () => {
      clearFieldError(name);
      dropStaleDevToken();
      updateTokenUi();
      updateLocalName();
    });
  }
  ui.roomID.addEventListener('input', () => clearFieldError('roomID'));
  ui.token.addEventListener('input', () => clearFieldError('token'));
}
