import type * as z from 'zod';
import type { Documented } from './adminRoutes.js';
import { challengeStatus } from './adminSchemas.js';
import {
  deviceBody,
  pollBody,
  pollResponse,
  pushTokenResponse,
  redeemBody,
  redeemResponse,
  respondBody,
  respondResponse,
  timeResponse,
  unregisterResponse,
} from './schemas.js';

/** One device route as the OpenAPI document describes it (routes.ts runs it). */
export interface DeviceRouteDoc {
  operationId: string;
  method: 'GET' | 'POST';
  path: string;
  summary: string;
  body?: z.ZodType;
  responses: Documented[];
  /** Every error status the route can answer. */
  errors: number[];
  /** Response headers of the success answer. */
  headers?: Record<string, string>;
}

// Bodies are read with a cap and a media type: every POST can answer 413 and 415; every route
// can answer 500 (a bug), 503 (the store is unavailable) and 404 (with `resolveOrganisation`, an
// organisation the resolver does not know is answered like an unknown route).
const ANY = [404, 500, 503];
const POST = [413, 415, ...ANY];

export const DEVICE_ROUTES: readonly DeviceRouteDoc[] = [
  {
    operationId: 'redeemActivation',
    method: 'POST',
    path: '/v1/activations/redeem',
    summary: 'The online redemption of an activation by the app (single use, lifetime enforced)',
    body: redeemBody,
    responses: [{ status: 200, description: 'The seed, encrypted to the device', schema: redeemResponse }],
    errors: [400, 403, 409, 410, 429, ...POST],
    headers: { 'x-cloudmfa-server-time': "The server's clock (ms), the app's first clock correction" },
  },
  {
    operationId: 'respondToPush',
    method: 'POST',
    path: '/v1/push/respond',
    summary: 'A device-signed answer to a push challenge',
    body: respondBody,
    responses: [{ status: 200, description: 'The answer took effect', schema: respondResponse }],
    errors: [400, 403, 404, 409, 410, ...POST],
  },
  {
    operationId: 'pollPush',
    method: 'POST',
    path: '/v1/push/poll',
    summary: "The device's pending challenges (a device-signed, time-bounded request)",
    body: pollBody,
    responses: [{ status: 200, description: 'The pending challenges', schema: pollResponse }],
    errors: [400, 403, 404, 410, ...POST],
  },
  {
    operationId: 'getPushStatus',
    method: 'GET',
    path: '/v1/push/challenges/{id}',
    summary: "A challenge's status for the login page (never the number)",
    responses: [{ status: 200, description: 'The status', schema: challengeStatus }],
    errors: [400, ...ANY],
  },
  {
    operationId: 'updatePushToken',
    method: 'POST',
    path: '/v1/devices/push-token',
    summary: "Replaces the enrolment's APNs/FCM token (a device-signed request)",
    body: deviceBody,
    responses: [{ status: 200, description: 'Updated', schema: pushTokenResponse }],
    errors: [400, 403, 404, 410, ...POST],
  },
  {
    operationId: 'unregisterDevice',
    method: 'POST',
    path: '/v1/devices/unregister',
    summary: 'The user removed the identity in the app: the enrolment is revoked',
    body: deviceBody,
    responses: [{ status: 200, description: 'Revoked', schema: unregisterResponse }],
    errors: [400, 403, 404, 410, ...POST],
  },
  {
    operationId: 'getServerTime',
    method: 'GET',
    path: '/v1/time',
    summary: "The server's clock, for the app's clock correction",
    responses: [{ status: 200, description: 'The time', schema: timeResponse }],
    errors: ANY,
  },
];
