/**
 * The SFU's descriptions announce ICE-lite at session level, where RFC 8839 §5.3 puts `a=ice-lite` and where
 * libwebrtc reads it. werift writes it only into each media section, which Chromium ignores: a browser that
 * answers the SFU's offer then takes the SFU for a full agent, starts as the controlled agent (the answerer's
 * role between two full agents, RFC 8445 §6.1.1), and sends checks with ICE-CONTROLLED. The ICE-lite SFU must
 * refuse those with 487 (Role Conflict, §7.3.1.1); the browser switches roles and checks again only at its next
 * ping, about 50 ms later each time. In a player's timeline that was two refused checks and ~110 ms between the
 * answer and ICE connected; with the session-level line the browser's first check (it nominates at once, as a
 * controlling agent facing a lite one does) connects.
 */

const SESSION_ICE_LITE = /^a=ice-lite\r?$/m;

/** `sdp` with `a=ice-lite` in its session section (after the `t=` line), if it is not there already. */
export function withSessionIceLite(sdp: string): string {
  const firstMedia = sdp.search(/^m=/m);
  const session = firstMedia < 0 ? sdp : sdp.slice(0, firstMedia);
  if (SESSION_ICE_LITE.test(session)) return sdp;
  const timing = /^t=[^\r\n]*(\r?\n)/m.exec(session);
  if (!timing) return sdp;
  const end = timing.index + timing[0].length;
  return `${sdp.slice(0, end)}a=ice-lite${timing[1]}${sdp.slice(end)}`;
}
