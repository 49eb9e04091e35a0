import { z } from 'zod';
import { ZDisplayName, ZEmail, ZPassword } from '../access/access-schemas.js';
import { checkReasons, legalBases } from '../consent/consent-rules.js';
import { ZPurposeKey } from '../consent/consent-schemas.js';
import type { PurposeRow } from '../consent/purpose-store.js';
import { rejectionReasons, requestStates, requestTypes } from '../requests/request-types.js';
import { selfServiceRequestTypes } from './self-service.js';

export const ZBranding = z
  .object({
    name: z.string(),
    color: z.string().describe('#rrggbb'),
    logoUrl: z.string().nullable(),
    privacyPolicyUrl: z.string().nullable(),
  })
  .meta({ id: 'Branding' });

export const ZPublicPurpose = z
  .object({
    key: z.string(),
    name: z.string(),
    description: z.string(),
    text: z.string().describe('What the subject is shown (this version)'),
    version: z.number().int(),
    legalBasis: z.enum(legalBases),
    consentRequired: z.boolean(),
    dataUses: z.array(z.string()),
    dataCategories: z.array(z.string()),
    ccpa: z.object({ sale: z.boolean(), sharing: z.boolean(), sensitive: z.boolean() }),
  })
  .meta({ id: 'PublicPurpose' });

/** Presenter: what anyone may read of a purpose (its public notice). */
export function presentPublicPurpose(row: PurposeRow): z.infer<typeof ZPublicPurpose> {
  return {
    key: row.key,
    name: row.name,
    description: row.description,
    text: row.text,
    version: row.version,
    legalBasis: row.legal_basis,
    consentRequired: row.legal_basis === 'consent',
    dataUses: row.data_uses,
    dataCategories: row.data_categories,
    ccpa: { sale: row.ccpa_sale, sharing: row.ccpa_sharing, sensitive: row.ccpa_sensitive },
  };
}

export const ZPrivacyConfig = z.object({
  branding: ZBranding,
  purposes: z.array(ZPublicPurpose),
  requestTypes: z.array(z.enum(selfServiceRequestTypes)),
  passwordMinLength: z.number().int(),
});

const ZGpcFlag = z
  .boolean()
  .default(false)
  .describe('navigator.globalPrivacyControl as the browser reports it (the Sec-GPC header counts too)');

export const ZRegistration = z.object({
  name: ZDisplayName,
  email: ZEmail,
  password: ZPassword,
  consents: z
    .array(z.object({ purpose: ZPurposeKey, version: z.number().int().min(1), granted: z.boolean() }))
    .max(50)
    .default([])
    .describe('One choice per consent-based purpose shown; `granted` only when the subject ticked it'),
  globalPrivacyControl: ZGpcFlag,
});

export const ZSubjectLogin = z.object({ email: ZEmail, password: ZPassword, globalPrivacyControl: ZGpcFlag });

export const ZRegistrationAccepted = z
  .object({
    message: z
      .string()
      .describe('The same whether or not the address has an account: look in the mailbox for what to do'),
  })
  .meta({ id: 'RegistrationAccepted' });

export const ZEmailConfirmation = z.object({
  email: ZEmail,
  code: z
    .string()
    .trim()
    .min(1)
    .max(32)
    .regex(/^[0-9\s-]+$/, 'The code is made of digits.')
    .describe('The code from the e-mail; spaces and dashes are ignored'),
  globalPrivacyControl: ZGpcFlag,
});

export const ZCodeResend = z.object({ email: ZEmail });

export const ZSubjectSession = z
  .object({
    subjectId: z.uuid().toLowerCase(),
    csrfToken: z.string().describe('Send as the X-CSRF-Token header on every state-changing request'),
    expiresAt: z.iso.datetime().describe('The latest the session lasts, however active'),
    idleExpiresAt: z.iso
      .datetime()
      .describe(
        'When the session ends unless another request comes first (idle timeout; never after expiresAt); every signed-in answer counts down to it in the X-Session-Idle-Expires-In header (seconds), and to expiresAt in X-Session-Expires-In',
      ),
  })
  .meta({ id: 'SubjectSession' });

export const ZOwnRecord = z
  .object({
    id: z.uuid().toLowerCase(),
    collection: z.string(),
    description: z.string(),
    fields: z.array(
      z.object({
        name: z.string(),
        description: z.string().nullable(),
        category: z.string(),
        type: z.string().describe('The field’s type in its collection (string, email, date, address, …)'),
        value: z.unknown(),
      }),
    ),
    unreadable: z.array(z.string()),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'OwnRecord' });

export const ZOwnConsent = z
  .object({
    purpose: ZPublicPurpose,
    allowed: z.boolean().describe('Whether the purpose may be pursued for you now'),
    reason: z.enum(checkReasons),
    status: z.enum(['granted', 'withdrawn', 'denied', 'expired']).nullable(),
    objectedAt: z.iso.datetime().nullable(),
    updatedAt: z.iso.datetime().nullable(),
    choiceVersion: z.number().int().nullable(),
    actions: z.array(z.enum(['grant', 'withdraw', 'object'])),
  })
  .meta({ id: 'OwnConsent' });

export const ZConsentChange = z.object({
  purpose: ZPurposeKey,
  action: z.enum(['grant', 'withdraw', 'object']),
  globalPrivacyControl: ZGpcFlag,
});

export const ZOwnConsentEvent = z
  .object({
    sequence: z.number().int(),
    eventId: z.uuid().toLowerCase(),
    purpose: z.string(),
    version: z.number().int(),
    action: z.string(),
    method: z.string().nullable(),
    source: z.string().nullable(),
    givenAt: z.iso.datetime(),
    recordedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    recordedBy: z.object({ type: z.string(), id: z.string().nullable() }),
  })
  .meta({ id: 'OwnConsentEvent' });

export const ZOwnRequest = z
  .object({
    id: z.uuid().toLowerCase(),
    type: z.enum(requestTypes),
    state: z.enum(requestStates),
    receivedAt: z.iso.datetime(),
    dueDate: z.iso.date(),
    daysLeft: z.number().int().nullable(),
    overdue: z.boolean(),
    extended: z.boolean(),
    verified: z.boolean(),
    rejectionReason: z.enum(rejectionReasons).nullable(),
    closedAt: z.iso.datetime().nullable(),
    canWithdraw: z.boolean(),
  })
  .meta({ id: 'OwnRequest' });

export const ZOwnRequestInput = z
  .object({
    type: z.enum(selfServiceRequestTypes),
    corrections: z
      .array(
        z.object({
          recordId: z.uuid().toLowerCase().describe('One of my records (`id` in /v1/privacy/me/data)'),
          fields: z
            .record(z.string().max(63), z.unknown())
            .refine((fields) => Object.keys(fields).length > 0, 'name at least one field')
            .refine((fields) => Object.keys(fields).length <= 50, 'at most 50 fields')
            .describe('The corrected values, by field name; checked against the record’s collection'),
        }),
      )
      .min(1)
      .max(20)
      .refine(
        (corrections) =>
          new Set(corrections.map((correction) => correction.recordId)).size === corrections.length,
        'name each record once',
      )
      .optional()
      .describe(
        'For a rectification: what to correct. Stored sealed for the privacy team to apply; never in logs or the audit log',
      ),
  })
  .superRefine((input, context) => {
    if (input.corrections && input.type !== 'rectification') {
      context.addIssue({
        code: 'custom',
        path: ['corrections'],
        message: 'only a rectification request carries corrections',
      });
    }
  });

export const ZPortabilityDownload = z.object({
  requestId: z.uuid().toLowerCase(),
  downloadPath: z.string().describe('Relative link to the ZIP archive; works until `expiresAt`'),
  expiresAt: z.iso.datetime(),
  size: z.number().int(),
});
