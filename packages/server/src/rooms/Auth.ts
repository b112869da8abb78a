/**
 * Turns a login's proof (Token04 or AppSign HMAC) into a {@link Grant}: what the session may do in one room.
 */
import { ErrorCode, ParleyError } from '@parley/protocol';
import { TokenError, verifyAppSignProof, verifyToken04 } from '@parley/token';
import type { AppConfig } from '../options.js';

export interface Grant {
  /** Unix seconds when the proof expires; null for AppSign logins, which do not expire. */
  expire: number | null;
  canPublish: boolean;
  /** Streams the session may publish; null = any. */
  streamIdList: string[] | null;
}

export type Proof = { kind: 'token'; token: string } | { kind: 'appSign'; proof: string };

export interface AuthRequest {
  app: AppConfig;
  roomID: string;
  userID: string;
  /** The challenge this socket was given in `hello`. */
  nonce: string;
  proof: Proof;
}

const FULL_GRANT: Grant = { expire: null, canPublish: true, streamIdList: null };

/** Checks a login proof; throws a ParleyError with the Express code on failure. */
export function authorize(req: AuthRequest, nowSeconds: number): Grant {
  if (req.proof.kind === 'appSign') {
    const ok = verifyAppSignProof(
      req.app.appSign,
      { nonce: req.nonce, appId: req.app.appID, userId: req.userID },
      req.proof.proof,
    );
    if (!ok) throw ParleyError.of(ErrorCode.APP_SIGN_WRONG);
    return FULL_GRANT;
  }
  return grantFromToken(req.app, req.roomID, req.userID, req.proof.token, nowSeconds);
}

/** Verifies a Token04 for this app, user and room. */
export function grantFromToken(
  app: AppConfig,
  roomID: string,
  userID: string,
  token: string,
  nowSeconds: number,
): Grant {
  let claims: ReturnType<typeof verifyToken04>;
  try {
    claims = verifyToken04(token, { appId: app.appID, secret: app.serverSecret, userId: userID, nowSeconds });
  } catch (err) {
    if (err instanceof TokenError) throw new ParleyError(err.code, err.message);
    throw err;
  }
  const privilege = claims.privilege;
  if (privilege === null) return { expire: claims.expire, canPublish: true, streamIdList: null };
  if (privilege.roomId !== '' && privilege.roomId !== roomID) {
    throw ParleyError.of(
      ErrorCode.TOKEN_INVALID,
      `the token is for room ${JSON.stringify(privilege.roomId)}`,
    );
  }
  if (!privilege.canLogin)
    throw ParleyError.of(ErrorCode.TOKEN_INVALID, 'the token lacks the login privilege');
  const list = privilege.streamIdList;
  return {
    expire: claims.expire,
    canPublish: privilege.canPublish,
    streamIdList: list === null || list.length === 0 ? null : list,
  };
}
