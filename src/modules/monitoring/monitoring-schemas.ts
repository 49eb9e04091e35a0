import { z } from 'zod';
import { factorNames } from './scoring.js';

export { ZMonitoringSettings } from './monitoring-settings.js';

const ZMoments = z.object({ mean: z.number(), sd: z.number() });

export const ZFactor = z.object({
  factor: z.string().describe(`one of ${factorNames.join(', ')}`),
  strength: z.number().min(0).max(1),
  contribution: z.number().min(0).max(1).describe('share of the score; the contributions add up to it'),
  words: z.string(),
});

export const ZPrincipal = z.object({
  type: z.enum(['operator', 'api_key']),
  id: z.string(),
  role: z.string().describe('peer group: the operator’s first role, `api_key` for keys'),
  firstSeenAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  activeHours: z.number().int(),
  warm: z.boolean().describe('past the warm-up, so it is scored'),
  score: z.number().nullable().describe('the latest score (of its latest hour)'),
  scoredAt: z.iso.datetime().nullable(),
  baseline: z.object({ reads: ZMoments, reveals: ZMoments, exportedRecords: ZMoments, subjects: ZMoments }),
  networks: z.number().int().describe('client networks seen (keyed hashes, never shown)'),
  purposes: z.array(z.string()),
  hourOfDay: z.array(z.number().int()).describe('active hours counted per hour of day, UTC'),
  recent: z
    .array(z.object({ hour: z.iso.datetime(), score: z.number() }))
    .describe('the last 48 hours scored'),
  factors: z.array(ZFactor).describe('the explanation of the latest score'),
});

export const ZPrincipalPage = z.object({
  items: z.array(ZPrincipal),
  cursor: z.object({
    entries: z.number().int().describe('audit entries folded in so far'),
    ranAt: z.iso.datetime().nullable(),
  }),
});

export const ZPrincipalQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const ZPrincipalParams = z.object({
  type: z.enum(['operator', 'api_key']),
  id: z.string().min(1).max(100),
});

export const ZRunReport = z.object({
  skipped: z.boolean().describe('another worker held the cursor'),
  entries: z.number().int(),
  principals: z.number().int(),
  alerts: z.number().int(),
});
