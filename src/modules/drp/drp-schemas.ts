import { z } from 'zod';
import { ZVerifyKey } from './drp-directory.js';
import { ZDrpId } from './drp-messages.js';
import { drpDenialReasons, drpExercises, drpStatuses } from './drp-protocol.js';

/** A signed DRP message: base64 of the Ed25519 signature followed by the JSON document (§3.07.1). */
export const ZSignedBody = z
  .string()
  .min(1)
  .max(64 * 1024)
  .describe('base64(signature ‖ JSON document), sent as text/plain');

/** §3.03 Exercise Status object. */
export const ZDrpStatus = z
  .object({
    request_id: z.uuid().toLowerCase(),
    agent_request_id: z.string().optional(),
    received_at: z.iso.datetime(),
    expected_by: z.iso.datetime().optional().describe('The legal deadline, while the request is open'),
    status: z.enum(drpStatuses),
    reason: z.enum([...drpDenialReasons, 'need_user_verification']).optional(),
    processing_details: z.string().optional(),
    user_verification_url: z
      .url()
      .optional()
      .describe('`need_user_verification`: the page where the consumer verifies (and confirms an opt-in)'),
    results_url: z
      .url()
      .optional()
      .describe('`fulfilled` access requests: the consumer’s data, fetched with the agent’s bearer token'),
    expires_at: z.iso
      .datetime()
      .optional()
      .describe(
        'Final: until when this status (and any results_url) is kept; need_user_verification: until when the consumer can verify',
      ),
  })
  .meta({ id: 'DrpExerciseStatus' });

/** §3.06 error object: DRP routes answer with it instead of a problem document. */
export const ZDrpError = z
  .object({
    code: z.string().describe('The HTTP status, as a string'),
    message: z.string(),
    fatal: z.literal(true).optional().describe('The message will never be processed: do not resend it'),
  })
  .meta({ id: 'DrpError' });

export const drpErrorResponses = {
  400: ZDrpError,
  401: ZDrpError,
  403: ZDrpError,
  404: ZDrpError,
  409: ZDrpError,
};

export const ZPairing = z.object({ 'agent-id': z.string(), token: z.string() }).meta({ id: 'DrpPairing' });

export const ZAgentIdParams = z.object({ agentId: z.string().min(1).max(200) });
export const ZDrpRequestParams = z.object({ requestId: z.string().min(1).max(200) });

const ZOptionalUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .nullable();
const ZOptionalContact = z.string().trim().min(1).max(254).nullable();

export const ZAgentInput = z.object({
  id: ZDrpId.describe('The agent’s id in the DRP service directory'),
  name: z.string().trim().min(1).max(200),
  verifyKey: ZVerifyKey.describe('Base64 Ed25519 public key (the directory’s `verify_key`)'),
  webUrl: ZOptionalUrl.default(null),
  identityAssuranceUrl: ZOptionalUrl.default(null),
  technicalContact: ZOptionalContact.default(null),
  businessContact: ZOptionalContact.default(null),
});

export const ZAgentChanges = ZAgentInput.omit({ id: true })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, 'change at least one field');

export const ZAgent = z
  .object({
    id: z.string(),
    name: z.string(),
    verifyKey: z.string(),
    webUrl: z.string().nullable(),
    identityAssuranceUrl: z.string().nullable(),
    technicalContact: z.string().nullable(),
    businessContact: z.string().nullable(),
    source: z.enum(['config', 'api']).describe('`config`: from CUSTOS_DRP_AGENTS_FILE, reapplied at start'),
    pairedAt: z.iso.datetime().nullable().describe('When the agent last paired (got its bearer token)'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'DrpAgent' });

export const ZBusiness = z
  .object({
    businessId: z.string().nullable().describe('CUSTOS_DRP_BUSINESS_ID; null: DRP is off'),
    apiBase: z.string(),
    supportedActions: z.array(z.enum(drpExercises)),
    supportedVerifications: z.array(z.string()),
    callbackVerifyKey: z.string().describe('Base64 Ed25519 key that verifies the status callbacks'),
    callbackSignatureHeader: z.string(),
  })
  .meta({ id: 'DrpBusiness' });

export const ZDrpRequestView = z
  .object({
    requestId: z.uuid().toLowerCase(),
    agentId: z.string(),
    agentRequestId: z.string().nullable(),
    exercise: z.enum(drpExercises),
    regime: z.string().nullable().describe('null: voluntary processing'),
    relationships: z.array(z.string()),
    claims: z
      .array(
        z.object({
          claim: z.string(),
          verified: z.boolean().nullable().describe('Whether the agent verified it; null where it cannot'),
          value: z.string().describe('Masked'),
        }),
      )
      .nullable()
      .describe('The identity claims, masked; null once the request is closed (they are deleted)'),
    status: ZDrpStatus.describe('What the agent sees'),
    callback: z
      .object({
        origin: z.string(),
        state: z.enum(['pending', 'delivered', 'failed']).nullable(),
        attempts: z.number().int(),
        lastAttemptAt: z.iso.datetime().nullable(),
        lastStatusCode: z.number().int().nullable(),
        lastError: z.string().nullable(),
        deliveredAt: z.iso.datetime().nullable(),
      })
      .nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'DrpRequest' });
