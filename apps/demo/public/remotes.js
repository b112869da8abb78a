/**
 * The room's stage: one tile per remote stream (video, placeholder, status, quality overlay, unmute button) in
 * a grid, playing with sound where the browser allows it, the room summary and the invite shown while alone.
 */
import { element, svgIcon, ui } from './dom.js';
import { initials } from './format.js';
import { log } from './log.js';
import { errorParts } from './notices.js';
import { session } from './session.js';

/** Remote tiles by streamID. */
export const tiles = new Map();
/** Other users in the room by userID (from roomUserUpdate). */
export const users = new Map();

function createTile(stream) {
  const user = stream.user ?? { userID: '', userName: '' };
  const name = user.userName || user.userID || stream.streamID;
  const el = element('figure', 'tile');
  el.dataset.streamId = stream.streamID;
  el.dataset.phase = 'connecting';
  el.dataset.cam = 'on';
  el.dataset.mic = 'on';
  el.title = `${name} · stream ${stream.streamID}`;

  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;

  const placeholder = element('div', 'tile-placeholder');
  const avatar = element('span', 'avatar', initials(name));
  avatar.setAttribute('aria-hidden', 'true');
  placeholder.append(avatar, element('span', 'tile-placeholder-text', 'Camera off'));

  const status = element('div', 'tile-status');
  const statusText = element('span', 'tile-status-text', 'Connecting…');
  status.append(element('span', 'spinner'), statusText);

  const quality = element('div', 'quality', 'measuring…');

  const caption = element('figcaption', 'tile-label');
  const micBadge = svgIcon('i-mic-off', 'icon mic-badge');
  micBadge.removeAttribute('aria-hidden');
  micBadge.setAttribute('role', 'img');
  micBadge.setAttribute('aria-label', 'Microphone muted');
  caption.append(micBadge, element('span', 'tile-name', name));

  const unmute = element('button', 'unmute');
  unmute.type = 'button';
  unmute.hidden = true;
  unmute.append(svgIcon('i-sound-off', 'icon'), 'Click to unmute');
  unmute.setAttribute('aria-label', `Unmute ${name}`);

  el.append(video, placeholder, status, quality, caption, unmute);
  const tile = { el, video, quality, statusText, unmute, streamID: stream.streamID, name };
  unmute.addEventListener('click', () => unmuteTile(tile));
  return tile;
}

/** Plays a tile with sound; when the browser refuses sound without a gesture, plays it muted and offers a button. */
async function playWithSound(tile) {
  const video = tile.video;
  video.muted = false;
  try {
    await video.play();
    tile.unmute.hidden = true;
  } catch (err) {
    if (err?.name !== 'NotAllowedError' || tiles.get(tile.streamID) !== tile) return;
    video.muted = true;
    tile.unmute.hidden = false;
    log('action', 'autoplay with sound refused: playing muted', [tile.streamID]);
    try {
      await video.play();
    } catch {
      // Even muted playback refused: the unmute button starts it with the click.
    }
  }
}

function unmuteTile(tile) {
  const video = tile.video;
  video.muted = false;
  video
    .play()
    .then(() => {
      tile.unmute.hidden = true;
      log('action', 'unmuted', [tile.streamID]);
    })
    .catch((err) => {
      video.muted = true;
      log('error', 'unmute refused', [tile.streamID, errorParts(err).msg]);
    });
}

/** The grid's columns for the number of tiles. */
export function updateGrid() {
  const count = tiles.size;
  let cols = 4;
  if (count <= 1) cols = 1;
  else if (count <= 4) cols = 2;
  else if (count <= 9) cols = 3;
  ui.remotes.dataset.count = String(count);
  ui.remotes.dataset.cols = String(cols);
  updateRoomSummary();
}

/** A link to this page for the current room (with its AppID unless it is the development app's). */
function inviteLink() {
  const { call, devApp } = session;
  if (!call) return '';
  const params = new URLSearchParams({ roomID: call.roomID });
  if (devApp === null || call.appID !== devApp.appID) params.set('appID', String(call.appID));
  return `${location.origin}${location.pathname}?${params}`;
}

/** The stage's heading and, without remote streams, what it says instead (with the invite while in a room). */
export function updateRoomSummary() {
  const { call, state } = session;
  const inRoom = call !== null && (state === 'joining' || state === 'in-call');
  ui.roomName.textContent = inRoom ? call.roomID : '';
  if (!inRoom) {
    ui.roomSummary.textContent = 'Not in a room';
  } else {
    const people = users.size + 1;
    const streams = tiles.size;
    ui.roomSummary.textContent = `${people} ${people === 1 ? 'person' : 'people'} · ${streams} remote ${streams === 1 ? 'stream' : 'streams'}`;
  }
  ui.remotesEmpty.hidden = tiles.size > 0;
  if (inRoom) {
    ui.emptyTitle.textContent = 'Waiting for others';
    ui.emptyText.textContent =
      'Nobody else publishes in this room yet. Open this page in another tab or on another device, with the same AppID and RoomID and a different UserID:';
    ui.inviteLink.textContent = inviteLink();
    ui.invite.hidden = false;
    ui.copyInvite.hidden = typeof navigator.clipboard?.writeText !== 'function';
  } else {
    ui.emptyTitle.textContent = 'No one here yet';
    ui.emptyText.textContent = 'Join a room: the streams of the other people in it play here.';
    ui.invite.hidden = true;
  }
}

/** Adds a tile for a stream that appeared in the room and plays it. */
export async function addRemote(stream) {
  const engine = session.zg;
  const id = stream?.streamID;
  if (!engine || typeof id !== 'string' || tiles.has(id) || id === session.call?.streamID) return;
  const tile = createTile(stream);
  tiles.set(id, tile);
  ui.remotes.append(tile.el);
  updateGrid();
  log('action', 'startPlayingStream', [id]);
  try {
    const media = await engine.startPlayingStream(id);
    if (tiles.get(id) !== tile || engine !== session.zg) return;
    tile.video.srcObject = media;
    tile.el.dataset.phase = 'playing';
    await playWithSound(tile);
  } catch (err) {
    if (tiles.get(id) !== tile || engine !== session.zg) return;
    const { code, msg } = errorParts(err);
    tile.el.dataset.phase = 'failed';
    tile.statusText.textContent = `Could not play${code === null ? '' : ` (error ${code})`}: ${msg}`;
    log('error', 'startPlayingStream failed', [id, { code, msg }]);
  }
}

/** Stops playing a stream that left the room and removes its tile. */
export function removeRemote(id) {
  const tile = tiles.get(id);
  if (!tile) return;
  tiles.delete(id);
  if (session.zg) {
    log('action', 'stopPlayingStream', [id]);
    try {
      session.zg.stopPlayingStream(id);
    } catch (err) {
      log('error', 'stopPlayingStream threw', [id, errorParts(err)]);
    }
  }
  tile.video.srcObject = null;
  tile.el.remove();
  updateGrid();
}

/** The invite's Copy button. */
export function wireInvite() {
  ui.copyInvite.addEventListener('click', () => {
    navigator.clipboard.writeText(inviteLink()).then(
      () => {
        ui.copyInviteText.textContent = 'Copied';
        setTimeout(() => {
          ui.copyInviteText.textContent = 'Copy link';
        }, 1500);
      },
      () => {
        ui.copyInviteText.textContent = 'Copy failed';
      },
    );
  });
}
