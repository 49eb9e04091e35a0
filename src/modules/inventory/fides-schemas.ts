/** Request and response schemas of the Fides manifest routes. */
import { z } from 'zod';
import { manifestLimits } from './fides-manifest-schema.js';
import { processorRoles } from './inventory-model.js';
import { ZActivityFacts, ZSystemFacts } from './inventory-schemas.js';

export const manifestFormats = ['yaml', 'json'] as const;
export type ManifestFormat = (typeof manifestFormats)[number];

export const ZExportQuery = z.object({
  format: z.enum(manifestFormats).default('yaml').describe('YAML (as Fides keeps manifests in git) or JSON'),
});

export const ZImportQuery = z.object({
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('`true`: validate and answer the plan and its differences, writing nothing'),
});

export const ZManifestText = z
  .string()
  .max(manifestLimits.bytes)
  .describe('A fideslang manifest: `system`, `dataset` and (from a Custos export) `custos` at the top level');

const ZPlannedSystem = ZSystemFacts.extend({ processorName: z.string().nullable() });

const ZPlannedProcessor = z.object({
  name: z.string(),
  contact: z.string(),
  country: z.string(),
  role: z.enum(processorRoles),
  parentName: z.string().nullable(),
  dpa: z
    .object({
      signedAt: z.string(),
      version: z.string(),
      reviewAt: z.string().nullable(),
      reference: z.string(),
    })
    .nullable(),
});

const ZPlannedActivity = ZActivityFacts.extend({
  systemNames: z.array(z.string()),
  processorNames: z.array(z.string()),
  measureNames: z.array(z.string()),
});

export const ZImportResult = z
  .object({
    dryRun: z.boolean().describe('Whether the plan was only checked (nothing written)'),
    plan: z.object({
      organization: z
        .object({
          controllerName: z.string(),
          address: z.string(),
          country: z.string().nullable(),
          representative: z.object({ name: z.string(), contact: z.string() }).nullable(),
          dpoContact: z.string(),
          supervisoryAuthority: z.string(),
        })
        .optional()
        .describe('The organization profile, when the manifest carries it (a Custos export does)'),
      systems: z.array(ZPlannedSystem),
      processors: z.array(ZPlannedProcessor),
      activities: z.array(ZPlannedActivity),
    }),
    differences: z
      .array(
        z.object({
          kind: z.enum(['organization', 'system', 'processor', 'activity']),
          name: z.string(),
          change: z.enum(['create', 'replace', 'unchanged']),
          fields: z.array(z.string()).describe('For a replacement: the fields whose value changes'),
        }),
      )
      .describe('Each planned entry against the map before the import, matched by name'),
    warnings: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .describe(
        'What the manifest says that the plan does not carry (e.g. a dataset differing from its vault collection)',
      ),
  })
  .meta({ id: 'FidesImportResult' });
