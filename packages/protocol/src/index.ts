export { type CodecDescription, h264, OPUS, vp8 } from './codecs.js';
export * from './enums.js';
export * from './errors.js';
export * from './limits.js';
export * from './messages.js';
export * from './parse.js';
export * from './schema.js';
export * from './TypedEmitter.js';
