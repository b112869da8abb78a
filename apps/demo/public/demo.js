/**
 * Parley web debug demo: join a room with AppID, RoomID, UserID and Token, publish the camera and microphone,
 * play everybody else's streams, mute, watch quality and the SDK's events. Plain ES modules, no build step.
 * This one starts the page; the others, flat next to it:
 *   session.js  what the page knows: its state, the development app, the current call
 *   page.js     body[data-state] and what follows from it
 *   settings.js the form, development tokens, reading the form at Join
 *   join.js     Join: token, engine, login, capture, publish
 *   leave.js    End, a call the server broke, teardown
 *   events.js   the SDK's events and the page's reactions
 *   local.js    the local preview tile and the mute buttons
 *   remotes.js  the remote tiles, their grid, the room summary and invite
 *   quality.js  quality numbers and the overlay on tiles
 *   log.js      the event log panel
 *   notices.js  status line, room-state badge, error alert, field messages
 *   dom.js      the page's elements by ID, element builders
 *   format.js   text formatting
 *
 * DOM contract (end-to-end tests rely on it): #appID #roomID #userID #token #getToken #join #end #muteMic
 * #muteCam #audioOnly #preview #remotes (tiles: [data-stream-id] with one <video> and a .quality) #log
 * #clearLog, and body[data-state] = idle | joining | in-call | leaving | error.
 */
import { ui } from './dom.js';
import { join } from './join.js';
import { end, teardown } from './leave.js';
import { resetLocal, toggleMute, updateLocalName } from './local.js';
import { wireLog } from './log.js';
import { hideError, setStatus, showError } from './notices.js';
import { setState } from './page.js';
import { updateGrid, wireInvite } from './remotes.js';
import { session } from './session.js';
import { loadDevApp, prefillForm, wireSettings } from './settings.js';

/** For debugging from the console. */
window.parleyDemo = Object.freeze({
  get engine() {
    return session.zg;
  },
  get localStream() {
    return session.local;
  },
});

function wire() {
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void join();
  });
  ui.end.addEventListener('click', end);
  ui.muteMic.addEventListener('click', () => toggleMute('audio'));
  ui.muteCam.addEventListener('click', () => toggleMute('video'));
  ui.errorClose.addEventListener('click', hideError);
  wireSettings();
  wireLog();
  wireInvite();
  window.addEventListener('pagehide', () => {
    if (session.zg || session.local) {
      session.generation++;
      teardown();
    }
  });
}

async function init() {
  prefillForm();
  updateLocalName();
  resetLocal();
  updateGrid();
  wire();
  setStatus('Asking the server for its development app…');
  await loadDevApp();
  setState('idle');
  setStatus(
    session.devApp === null
      ? 'Enter your AppID and a token, then join.'
      : 'Ready: join, then open this page in another tab with the same RoomID.',
  );
}

init().catch((err) => {
  console.error(err);
  setState('idle');
  showError('The page did not start properly', err);
});
