/**
 * @parley/token — the credentials of the Express API (express-api.md §4): Token04 generation, decoding and
 * verification, compatible byte for byte with ZEGO's generators, and the native face's AppSign.
 *
 * @example
 * import { generateToken04, verifyToken04 } from '@parley/token';
 * const token = generateToken04(1234567, 'user1', serverSecret, 3600);
 * const claims = verifyToken04(token, { appId: 1234567, secret: serverSecret, userId: 'user1' });
 */
export {
  APP_SIGN_LENGTH,
  type AppSignChallenge,
  appSignProof,
  generateAppSign,
  validateAppSign,
  verifyAppSignProof,
} from './appSign.js';
export {
  Token04GenerateError,
  Token04GenerateErrorCode,
  type Token04GenerateErrorCodeValue,
  TokenError,
  TokenErrorCode,
  type TokenErrorCodeValue,
  type TokenErrorReason,
} from './errors.js';
export {
  makePrivilegePayload,
  type PrivilegePayloadInput,
  parsePrivilegePayload,
  type Token04Privilege,
} from './privilege.js';
export { generateServerSecret, isServerSecret, SERVER_SECRET_LENGTH } from './serverSecret.js';
export {
  encodeToken04,
  generateToken04,
  generateToken04Cbc,
  generateToken04With,
  sealToken04,
  type Token04Fields,
  type Token04GenerateOptions,
} from './token04.js';
export { decodeToken04, type Token04Claims } from './token04Decode.js';
export {
  packToken04,
  readToken04Envelope,
  TOKEN04_VERSION,
  type Token04Envelope,
  type Token04Mode,
} from './token04Envelope.js';
export { type VerifyToken04Options, verifyToken04 } from './token04Verify.js';
