import * as z from 'zod';

// The settings of an activation and of a push challenge, as the facade checks them: one schema
// each, shared by the operations and the admin routes' request schemas (and so the OpenAPI
// document). Apart from the operations so that the routes do not load them (and the QR code).

export const activationSettingsSchema = z
  .object({
    mode: z.enum(['online', 'offline', 'otpauth']).optional(),
    account: z.string().max(512).optional(),
    otp: z
      .object({
        type: z.enum(['totp', 'hotp']).optional(),
        algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']).optional(),
        digits: z.number().int().min(6).max(10).optional(),
        period: z.number().int().min(1).max(3600).optional(),
        counter: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      })
      .strict()
      .optional(),
    lifetimeSeconds: z.number().int().min(10).max(65_535).optional(),
  })
  .strict();

export const pushSettingsSchema = z
  .object({
    numberMatch: z.union([z.boolean(), z.object({ digits: z.number().int().min(2).max(6) }).strict()]).optional(),
    enrolmentId: z.string().optional(),
    alert: z.object({ title: z.string().optional(), body: z.string().optional() }).strict().optional(),
    clientIp: z.string().optional(),
  })
  .strict();
