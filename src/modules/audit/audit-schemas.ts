import { z } from 'zod';
import type { AuditFilters } from './audit-store.js';
import { auditProblems } from './audit-verify.js';

const ZHash = z.string().regex(/^[0-9a-f]{64}$/);
const ZActorType = z.enum(['operator', 'api_key', 'subject', 'system', 'agent', 'anonymous']);
const ZOutcome = z.enum(['success', 'failure', 'denied']);

export const ZAuditFilters = z.object({
  actorType: ZActorType.optional(),
  actorId: z.string().min(1).max(200).optional(),
  action: z
    .string()
    .max(100)
    .regex(
      /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/,
      'must be an action such as operator.login.failed, or a prefix such as operator.*',
    )
    .optional()
    .describe('Exact action, or a prefix ending in `.*` (`operator.*`)'),
  targetType: z.string().min(1).max(50).optional(),
  targetId: z.string().min(1).max(200).optional(),
  outcome: ZOutcome.optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Entries at or after this time'),
  to: z.iso.datetime({ offset: true }).optional().describe('Entries before this time'),
});

export const ZAuditQuery = ZAuditFilters.extend({
  cursor: z.string().min(1).max(40).optional().describe('`nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ZAuditExportQuery = ZAuditFilters.extend({
  format: z.enum(['ndjson', 'csv']).default('ndjson'),
});

export const ZAuditEntry = z
  .object({
    seq: z
      .number()
      .int()
      .describe('Global number: increasing in append order, with gaps where appends rolled back'),
    chain: z.number().int().describe('The hash chain the entry links into'),
    chainSeq: z.number().int().describe('Position in its chain: 1, 2, 3, … without gaps'),
    at: z.iso.datetime(),
    actor: z.object({ type: ZActorType, id: z.string().nullable() }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string() }).nullable(),
    purpose: z.string().nullable(),
    outcome: ZOutcome,
    requestId: z.string().nullable(),
    ipHash: z
      .string()
      .nullable()
      .describe('Keyed hash of the client network (/24 or /48), never the address'),
    details: z.record(z.string(), z.unknown()),
    prevHash: ZHash,
    hash: ZHash,
  })
  .meta({ id: 'AuditEntry' });

export const ZAuditPage = z.object({ items: z.array(ZAuditEntry), nextCursor: z.string().nullable() });

export const ZAuditCheckpoint = z
  .object({
    seq: z.number().int(),
    hash: ZHash,
    at: z.iso.datetime(),
    keyId: z.string(),
    signature: z
      .string()
      .describe(
        "Ed25519 signature, base64url: over the canonical JSON of {at, hash, keyId, seq} (old format), or of a chained checkpoint's statement {at, checkpointSeq, every, heads, intervalMs, keyId, prevHash, seq, version: 2}",
      ),
    checkpointSeq: z
      .number()
      .int()
      .optional()
      .describe(
        'Chained checkpoints: 1, 2, 3, … without gaps; absent on checkpoints signed before the chain began',
      ),
    prevHash: ZHash.optional().describe('The hash of the checkpoint before (64 zeros for number 1)'),
    heads: z
      .array(
        z.object({ chain: z.number().int(), chainSeq: z.number().int(), seq: z.number().int(), hash: ZHash }),
      )
      .optional()
      .describe("Every chain's last entry: the checkpoint covers exactly the entries numbered up to `seq`"),
    every: z.number().int().optional().describe('The checkpoint policy signed: every N entries of a chain…'),
    intervalMs: z.number().int().optional().describe('…and this long after the last checkpoint'),
  })
  .meta({ id: 'AuditCheckpoint' });

export const ZCheckpointQuery = z.object({
  after: z.coerce.number().int().min(0).default(0).describe('Only checkpoints after this sequence number'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const ZSeqParams = z.object({ seq: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

export const ZAuditVerifyReport = z
  .object({
    ok: z.boolean(),
    problem: z.enum(auditProblems).optional(),
    seq: z
      .number()
      .int()
      .optional()
      .describe('The first sequence number found wrong (the entry a finding points to)'),
    checkpoint: z
      .number()
      .int()
      .optional()
      .describe('For findings about chained checkpoints: the number of the checkpoint concerned'),
    message: z.string().optional(),
    entries: z.number().int().describe('Entries verified'),
    checkpoints: z.number().int().describe('Checkpoints verified'),
    lastSeq: z.number().int(),
    lastCheckpointSeq: z.number().int().nullable(),
    unsignedEntries: z
      .number()
      .int()
      .optional()
      .describe('Entries no checkpoint vouches for yet (after the last checkpoint of their chain)'),
    fromCut: z
      .object({ cutSeq: z.number().int(), hash: z.string() })
      .optional()
      .describe(
        'When the log was pruned: the signed cut verification started from (its hash ends the last archive segment)',
      ),
  })
  .meta({ id: 'AuditVerifyReport' });

export const ZAuditPublicKey = z
  .object({ keyId: z.string(), algorithm: z.literal('Ed25519'), publicKeyPem: z.string() })
  .meta({ id: 'AuditPublicKey' });

/** Query-string filters as the service takes them. */
export function filtersFrom(query: z.infer<typeof ZAuditFilters>): AuditFilters {
  return {
    actorType: query.actorType,
    actorId: query.actorId,
    action: query.action,
    targetType: query.targetType,
    targetId: query.targetId,
    outcome: query.outcome,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  };
}
