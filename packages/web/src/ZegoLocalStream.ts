/**
 * `ZegoLocalStream`: what `createZegoStream` returns — the captured MediaStream plus the Express helpers to
 * preview it (`playVideo`, `playAudio`, `stopVideo`, `stopAudio`, `setVolume`).
 */

/** `playVideo`'s options. */
export interface ZegoPlayVideoOptions {
  /** Mirror the picture horizontally (default true for a camera preview, like a mirror). */
  mirror?: boolean;
  /** How the picture fills the element (default 'cover'). */
  objectFit?: 'cover' | 'contain' | 'fill';
}

/**
 * A local stream: camera and microphone, a screen, or a custom source.
 * @example
 * const local = await zg.createZegoStream({ camera: { audio: true, video: true } });
 * local.playVideo(document.querySelector('#preview'));
 * zg.startPublishingStream('me', local);
 */
export class ZegoLocalStream {
  /** The captured media. */
  readonly stream: MediaStream;
  /** 'camera', 'screen' or 'custom': where the media comes from. */
  readonly source: 'camera' | 'screen' | 'custom';
  private videoElement: HTMLVideoElement | null = null;
  /** The element `playVideo` created inside a container (removed by `stopVideo`), not one the app gave. */
  private ownVideoElement = false;
  private audioElement: HTMLAudioElement | null = null;
  private volume = 100;
  private destroyed = false;

  constructor(stream: MediaStream, source: 'camera' | 'screen' | 'custom') {
    this.stream = stream;
    this.source = source;
  }

  getTracks(): MediaStreamTrack[] {
    return this.stream.getTracks();
  }

  getAudioTracks(): MediaStreamTrack[] {
    return this.stream.getAudioTracks();
  }

  getVideoTracks(): MediaStreamTrack[] {
    return this.stream.getVideoTracks();
  }

  /** True once `destroyStream` stopped its tracks. */
  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /**
   * Shows the video in `element`: a `<video>` element is used as it is; any other element gets a `<video>`
   * child that fills it. The preview is always muted (hear yourself with `playAudio`).
   */
  playVideo(element: HTMLElement, options: ZegoPlayVideoOptions = {}): void {
    if (!element || typeof (element as Partial<HTMLElement>).appendChild !== 'function') {
      throw new TypeError('playVideo needs an element');
    }
    this.stopVideo();
    let video: HTMLVideoElement;
    if (element instanceof HTMLVideoElement) {
      video = element;
    } else {
      video = document.createElement('video');
      video.style.width = '100%';
      video.style.height = '100%';
      element.appendChild(video);
      this.ownVideoElement = true;
    }
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true;
    video.style.objectFit = options.objectFit ?? 'cover';
    video.style.transform = (options.mirror ?? this.source === 'camera') ? 'scaleX(-1)' : '';
    video.srcObject = this.stream;
    this.videoElement = video;
    video.play().catch(() => {
      // Autoplay of a muted video is allowed everywhere; a refusal here leaves the element paused.
    });
  }

  /** Stops showing the video (the capture goes on). */
  stopVideo(): void {
    const video = this.videoElement;
    if (!video) return;
    video.srcObject = null;
    if (this.ownVideoElement) video.remove();
    this.videoElement = null;
    this.ownVideoElement = false;
  }

  /** Plays the captured audio locally (to check the microphone). */
  playAudio(): void {
    this.stopAudio();
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.volume = this.volume / 100;
    audio.srcObject = this.stream;
    this.audioElement = audio;
    audio.play().catch(() => {
      // The page has had no user gesture yet: the browser refuses sound until it has.
    });
  }

  /** Stops the local audio playback (the capture goes on). */
  stopAudio(): void {
    const audio = this.audioElement;
    if (!audio) return;
    audio.pause();
    audio.srcObject = null;
    this.audioElement = null;
  }

  /** Volume of the local audio playback, 0..100. Returns false for a value out of range. */
  setVolume(volume: number): boolean {
    if (typeof volume !== 'number' || !Number.isFinite(volume) || volume < 0 || volume > 100) return false;
    this.volume = volume;
    if (this.audioElement) this.audioElement.volume = volume / 100;
    return true;
  }

  /** Stops capturing: every track ends and the previews go. Used by `destroyStream`. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.stopVideo();
    this.stopAudio();
    for (const track of this.stream.getTracks()) track.stop();
  }
}
