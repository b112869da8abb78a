/**
 * The page's elements, looked up once by ID, and two small builders for the elements the page creates itself.
 */

export const byId = (id) => document.getElementById(id);

export const ui = {
  form: byId('settings'),
  settingsTitle: byId('settingsTitle'),
  settingsSub: byId('settingsSub'),
  fields: byId('fields'),
  appID: byId('appID'),
  roomID: byId('roomID'),
  userID: byId('userID'),
  token: byId('token'),
  tokenHint: byId('tokenHint'),
  getToken: byId('getToken'),
  audioOnly: byId('audioOnly'),
  join: byId('join'),
  joinText: byId('joinText'),
  end: byId('end'),
  endText: byId('endText'),
  status: byId('status'),
  error: byId('error'),
  errorTitle: byId('errorTitle'),
  errorCode: byId('errorCode'),
  errorMsg: byId('errorMsg'),
  errorHint: byId('errorHint'),
  errorClose: byId('errorClose'),
  roomState: byId('roomState'),
  roomStateText: byId('roomStateText'),
  roomStateReason: byId('roomStateReason'),
  infoAppID: byId('infoAppID'),
  infoRoomID: byId('infoRoomID'),
  infoUserID: byId('infoUserID'),
  infoStreamID: byId('infoStreamID'),
  publishChip: byId('publishChip'),
  localTile: byId('localTile'),
  preview: byId('preview'),
  localAvatar: byId('localAvatar'),
  localPlaceholderText: byId('localPlaceholderText'),
  localQuality: byId('localQuality'),
  localName: byId('localName'),
  callControls: byId('callControls'),
  muteMic: byId('muteMic'),
  muteCam: byId('muteCam'),
  roomName: byId('roomName'),
  roomSummary: byId('roomSummary'),
  remotes: byId('remotes'),
  remotesEmpty: byId('remotesEmpty'),
  emptyTitle: byId('emptyTitle'),
  emptyText: byId('emptyText'),
  invite: byId('invite'),
  inviteLink: byId('inviteLink'),
  copyInvite: byId('copyInvite'),
  copyInviteText: byId('copyInviteText'),
  log: byId('log'),
  clearLog: byId('clearLog'),
  logQuality: byId('logQuality'),
};

/** An element with an optional class and text. */
export function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** An icon of the page's sprite (`<use href="#id">`). */
export function svgIcon(id, className) {
  // The SVG namespace, taken from the page's own icon sprite rather than spelled out.
  const ns = document.querySelector('svg.sprite').namespaceURI;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', className);
  svg.setAttribute('aria-hidden', 'true');
  const use = document.createElementNS(ns, 'use');
  use.setAttribute('href', `#${id}`);
  svg.append(use);
  return svg;
}
