/**
 * The "You" card: the local preview tile (name, avatar, placeholder text, publish chip) and the mute buttons.
 */
import { ui } from './dom.js';
import { initials } from './format.js';
import { log } from './log.js';
import { errorParts } from './notices.js';
import { session } from './session.js';

/** The local tile's name and avatar: the call's UserID, else the one typed. */
export function updateLocalName() {
  const userID = session.call?.userID ?? ui.userID.value.trim();
  ui.localName.textContent = userID ? `${userID} (you)` : 'You';
  ui.localAvatar.textContent = initials(userID || '?');
}

/** What the local tile says while it shows no picture. */
export function updateLocalPlaceholder() {
  let text = 'Your camera appears here when you join';
  if (session.state === 'joining')
    text = session.call?.audioOnly ? 'Starting the microphone…' : 'Starting the camera…';
  else if (session.state === 'in-call' && session.call?.audioOnly) text = 'Audio only';
  else if (session.state === 'in-call') text = 'Camera muted';
  ui.localPlaceholderText.textContent = text;
}

export function setPublishChip(tone, text) {
  ui.publishChip.dataset.tone = tone;
  ui.publishChip.textContent = text;
}

/** The local tile, its quality overlay and the mute buttons as before a call. */
export function resetLocal() {
  ui.preview.srcObject = null;
  ui.localTile.dataset.live = 'false';
  ui.localTile.dataset.cam = 'on';
  ui.localTile.dataset.mic = 'on';
  ui.muteMic.setAttribute('aria-pressed', 'false');
  ui.muteCam.setAttribute('aria-pressed', 'false');
  ui.muteCam.disabled = false;
  ui.muteCam.removeAttribute('title');
  ui.localQuality.hidden = true;
  ui.localQuality.replaceChildren();
  setPublishChip('idle', 'Not publishing');
}

/** Mutes or unmutes the published microphone (kind 'audio') or camera ('video'). */
export function toggleMute(kind) {
  if (!session.zg || !session.local) return;
  const button = kind === 'audio' ? ui.muteMic : ui.muteCam;
  const mute = button.getAttribute('aria-pressed') !== 'true';
  const method = kind === 'audio' ? 'mutePublishStreamAudio' : 'mutePublishStreamVideo';
  let ok = false;
  try {
    ok = session.zg[method](session.local, mute);
  } catch (err) {
    log('error', `${method} threw`, errorParts(err));
    return;
  }
  log(ok ? 'action' : 'error', method, ['<local stream>', mute, ok ? 'ok' : 'returned false']);
  if (!ok) return;
  button.setAttribute('aria-pressed', String(mute));
  ui.localTile.dataset[kind === 'audio' ? 'mic' : 'cam'] = mute ? 'off' : 'on';
}
