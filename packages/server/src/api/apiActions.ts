/**
 * The actions of the server API, by name, and what each one is given. An action reads its parameters, does its
 * work through the rooms layer's {@link RoomAdmin} (which sees every node of the cluster) and returns the reply's
 * `Data`, or throws an ApiError with ZEGO's code.
 */
import { checkRoomId, checkUserId, errorMessage } from '@parley/protocol';
import type { RoomAdmin } from '../rooms/RoomAdmin.js';
import type { ApiParams } from './ApiParams.js';
import { ApiCode, ApiError } from './apiCodes.js';
import { readActions } from './readActions.js';
import { writeActions } from './writeActions.js';

export interface ApiCall {
  appID: number;
  params: ApiParams;
  rooms: RoomAdmin;
}

export type ApiAction = (call: ApiCall) => Promise<unknown>;

/** Every action the server answers. */
export function apiActions(): Map<string, ApiAction> {
  return new Map<string, ApiAction>([...Object.entries(readActions), ...Object.entries(writeActions)]);
}

/** A required RoomId parameter, checked as the client API checks room IDs. */
export function roomIdParam(params: ApiParams, name = 'RoomId'): string {
  return checked(name, params.required(name), checkRoomId);
}

/** A required UserId-like parameter, checked as the client API checks user IDs. */
export function userIdParam(params: ApiParams, name: string): string {
  return checked(name, params.required(name), checkUserId);
}

/** A list parameter (`Name[]=a&Name[]=b`) of `min` to `max` user IDs. */
export function userIdList(params: ApiParams, name: string, min: number, max: number): string[] {
  const list = params.all(name);
  if (list.length < min || list.length > max) {
    throw new ApiError(
      ApiCode.INPUT_PARAMETER,
      `${name}[] takes ${min} to ${max} values, not ${list.length}`,
    );
  }
  return list.map((id) => checked(name, id, checkUserId));
}

/** `value` if `check` (a protocol check returning an Express code) finds nothing wrong, else ApiError 2. */
export function checked(name: string, value: string, check: (v: unknown) => number): string {
  const code = check(value);
  if (code !== 0) throw new ApiError(ApiCode.INPUT_PARAMETER, `${name}: ${errorMessage(code)}`);
  return value;
}
