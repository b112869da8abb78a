/**
 * The media codecs Parley negotiates, as plain descriptions both sides wrap in their WebRTC stack's codec type:
 * the SFU offers and accepts them, the Node SDK sends and receives them. One list, so the payload types,
 * fmtp parameters and feedback the two sides announce can never drift apart.
 */

export interface CodecDescription {
  mimeType: string;
  clockRate: number;
  channels?: number;
  payloadType: number;
  /** SDP fmtp parameters. */
  parameters?: string;
  rtcpFeedback?: { type: string; parameter?: string }[];
}

/** NACK, PLI and FIR: what every video codec gets. No RTX: retransmissions reuse the media SSRC (RFC 4585). */
const videoFeedback = (): { type: string; parameter?: string }[] => [
  { type: 'nack' },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
];

export const OPUS: Readonly<CodecDescription> = {
  mimeType: 'audio/opus',
  clockRate: 48000,
  channels: 2,
  payloadType: 111,
  parameters: 'minptime=10;useinbandfec=1',
};

export function vp8(): CodecDescription {
  return { mimeType: 'video/VP8', clockRate: 90000, payloadType: 96, rtcpFeedback: videoFeedback() };
}

/** H264 constrained baseline, packetization-mode 1: forwarded by the SFU when a publisher offers it. */
export function h264(): CodecDescription {
  return {
    mimeType: 'video/H264',
    clockRate: 90000,
    payloadType: 102,
    parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    rtcpFeedback: videoFeedback(),
  };
}
