/**
 * The event log panel: timestamped entries for the SDK's events, what the page did and what failed, kept to
 * the newest LOG_LIMIT; it follows the newest entry unless the reader scrolled up.
 */
import { ui } from './dom.js';
import { clock } from './format.js';
import { qualityNumbers } from './quality.js';

/** Entries kept in the log panel. */
const LOG_LIMIT = 500;
/** Longest JSON shown for one log entry's arguments. */
const ARGS_MAX_CHARS = 320;
const QUALITY_EVENTS = new Set(['publishQualityUpdate', 'playQualityUpdate']);

function jsonReplacer(_key, value) {
  if (typeof MediaStream === 'function' && value instanceof MediaStream) {
    return `MediaStream(${value
      .getTracks()
      .map((t) => t.kind)
      .join('+')})`;
  }
  if (typeof Element === 'function' && value instanceof Element) {
    return `<${value.tagName.toLowerCase()}${value.id ? `#${value.id}` : ''}>`;
  }
  if (value instanceof Error && typeof value.toJSON !== 'function') {
    return { name: value.name, code: value.code, message: value.message };
  }
  return value;
}

function shortJson(value) {
  let text;
  try {
    text = JSON.stringify(value, jsonReplacer);
  } catch {
    text = undefined;
  }
  if (text === undefined) text = String(value);
  return text.length > ARGS_MAX_CHARS ? `${text.slice(0, ARGS_MAX_CHARS - 1)}…` : text;
}

/** True while the log shows its newest entry: new entries scroll into view unless the reader scrolled up. */
let logFollows = true;

function scrollLogToEnd() {
  ui.log.scrollTop = ui.log.scrollHeight;
}

/** Adds an entry: kind 'event' (from the SDK), 'quality', 'action' (what the page did) or 'error'. */
export function log(kind, name, args) {
  const list = ui.log;
  const entry = document.createElement('li');
  entry.className = 'log-entry';
  entry.dataset.kind = kind;
  const now = new Date();
  const time = document.createElement('time');
  time.className = 'log-time';
  time.dateTime = now.toISOString();
  time.textContent = clock(now);
  const label = document.createElement('span');
  label.className = 'log-name';
  label.textContent = name;
  const detail = document.createElement('span');
  detail.className = 'log-args';
  detail.textContent = args === undefined ? '' : shortJson(args);
  entry.append(time, label, detail);
  list.append(entry);
  while (list.childElementCount > LOG_LIMIT) list.firstElementChild.remove();
  if (logFollows) scrollLogToEnd();
}

function qualitySummary(stats) {
  const q = qualityNumbers(stats);
  return {
    level: stats?.level,
    kbps: q.kbps,
    fps: q.fps,
    lossPct: q.lossPct,
    rttMs: q.rtt,
    size: q.size,
  };
}

/** Logs one SDK event: quality reports summed up, failures marked as errors. */
export function logEvent(name, args) {
  if (QUALITY_EVENTS.has(name)) {
    log('quality', name, [args[0], qualitySummary(args[1])]);
    return;
  }
  let kind = 'event';
  const first = args[0];
  if (name === 'roomStateChanged' && ['LOGIN_FAILED', 'RECONNECT_FAILED', 'KICKOUT'].includes(args[1])) {
    kind = 'error';
  } else if (
    (name === 'publisherStateUpdate' || name === 'playerStateUpdate') &&
    first?.errorCode &&
    (first.state === 'NO_PUBLISH' || first.state === 'NO_PLAY')
  ) {
    kind = 'error';
  }
  log(kind, name, args);
}

/** The panel's own controls: Clear, the quality-events filter, and following the newest entry. */
export function wireLog() {
  ui.clearLog.addEventListener('click', () => {
    ui.log.replaceChildren();
    logFollows = true;
  });
  ui.log.addEventListener('scroll', () => {
    const list = ui.log;
    logFollows = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
  });
  // A reflow (narrower window, filter switched) keeps the newest entry in view while following.
  new ResizeObserver(() => {
    if (logFollows) scrollLogToEnd();
  }).observe(ui.log);
  ui.logQuality.addEventListener('change', () => {
    ui.log.classList.toggle('hide-quality', !ui.logQuality.checked);
    if (logFollows) scrollLogToEnd();
  });
}
