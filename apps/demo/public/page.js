/**
 * The page's state, body[data-state] = loading | idle | joining | in-call | leaving | error, and everything
 * that follows from it: which buttons show, the form's heading, the tab title.
 */
import { ui } from './dom.js';
import { updateLocalPlaceholder } from './local.js';
import { updateRoomSummary } from './remotes.js';
import { session } from './session.js';
import { updateTokenUi } from './settings.js';

export function setState(next) {
  session.state = next;
  document.body.dataset.state = next;
  const busy = next === 'joining' || next === 'in-call' || next === 'leaving';
  ui.fields.disabled = busy;
  ui.join.hidden = next === 'in-call' || next === 'leaving';
  ui.join.disabled = busy || next === 'loading';
  ui.join.setAttribute('aria-busy', String(next === 'joining'));
  ui.joinText.textContent = next === 'joining' ? 'Joining…' : 'Join';
  ui.end.hidden = next !== 'joining' && next !== 'in-call';
  ui.end.disabled = ui.end.hidden;
  ui.endText.textContent = next === 'joining' ? 'Cancel' : 'End';
  ui.callControls.hidden = next !== 'in-call';
  document.title =
    next === 'in-call' && session.call ? `● ${session.call.roomID} · Parley demo` : 'Parley · Debug demo';
  const inCall = next === 'in-call' || next === 'leaving';
  ui.settingsTitle.textContent = inCall ? 'In a call' : 'Join a room';
  ui.settingsSub.textContent = inCall
    ? 'Others join with the same AppID and RoomID and a UserID of their own.'
    : 'Same AppID and RoomID, a different UserID in each tab: everyone meets in one room.';
  updateTokenUi();
  updateLocalPlaceholder();
  updateRoomSummary();
}
