#!/usr/bin/env bash
# Generates the small media samples the Node SDK's media tests read (packages/node/samples/).
# The outputs are committed; rerun this only to regenerate them. Needs ffmpeg with libvpx and libopus,
# which Debian's ffmpeg package provides; it is installed here when missing (needs root or sudo).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/packages/node/samples"
mkdir -p "$out"

if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "ffmpeg not found; installing Debian's ffmpeg" >&2
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends ffmpeg
fi

# VP8, 320x240, 15 fps, 2 s of a moving test pattern; a keyframe every 15 frames (1 s), ~100 kbit/s.
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc=size=320x240:rate=15:duration=2" \
  -c:v libvpx -b:v 100k -g 15 -keyint_min 15 -auto-alt-ref 0 -deadline good -cpu-used 4 \
  -f ivf "$out/testsrc.ivf"

# Opus, 48 kHz mono, 2 s of a 440 Hz sine in 20 ms frames.
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=2" \
  -ac 1 -ar 48000 -c:a libopus -b:a 32k -frame_duration 20 -application audio \
  "$out/tone.ogg"

ls -l "$out/testsrc.ivf" "$out/tone.ogg"
