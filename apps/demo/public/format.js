/**
 * Text formatting: log timestamps, abbreviated tokens, durations, the initials shown in avatars.
 */

/** `hh:mm:ss.mmm` in local time. */
export function clock(date) {
  const pad = (n, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** The first and last characters of a token: enough to tell two apart, not enough to reuse one. */
export function abbreviate(token) {
  return token.length > 16 ? `${token.slice(0, 8)}…${token.slice(-4)} (${token.length} chars)` : token;
}

/** `86400` → `24 h`, `90` → `90 s`; '' for nothing sensible. */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds <= 0) return '';
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** One or two letters for an avatar: the first letters of the first two words, or the first two of one. */
export function initials(name) {
  const parts = String(name)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  if (parts.length >= 2) return `${[...parts[0]][0]}${[...parts[1]][0]}`;
  return [...(parts[0] ?? '?')].slice(0, 2).join('');
}
