import { Type } from '@sinclair/typebox';

/**
 * Stable error codes. The HTTP status belongs to the code, so every place that raises one
 * answers the same way. The console and integrations branch on `code`, never on text.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  INVALID_TIME_ZONE: 400,
  INVALID_CURSOR: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  ORDER_INVALID_TRANSITION: 409,
  ORDER_VERSION_CONFLICT: 409,
  ORDER_GUARD_FAILED: 409,
  USERNAME_TAKEN: 409,
  CHANNEL_ACCOUNT_CODE_TAKEN: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_PROGRESS: 409,
  CHANNEL_ACCOUNT_UNKNOWN: 422,
  CHANNEL_ACCOUNT_INACTIVE: 422,
  CURRENCY_UNKNOWN: 422,
  ORDER_AMOUNTS_INCONSISTENT: 422,
  ORDER_REASON_REQUIRED: 422,
  ORDER_REASON_UNKNOWN: 422,
  PHONE_INVALID: 422,
  TIME_INVALID: 422,
  CANNOT_DEACTIVATE_SELF: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** RFC 9457 problem details, with the stable `code` added. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    details: Type.Optional(Type.Unknown()),
  },
  { $id: 'Problem' },
);
