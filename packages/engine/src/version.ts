/** The version of the engine, reported by `getVersion()`. */
export const ENGINE_VERSION = '0.1.0';
