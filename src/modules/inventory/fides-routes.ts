import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditContextOf } from '../../http/principal.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { differencesOf } from './fides-differences.js';
import { manifestMediaTypes, parseManifest } from './fides-import.js';
import { exportManifest, manifestText } from './fides-manifest.js';
import { manifestLimits } from './fides-manifest-schema.js';
import {
  type ManifestFormat,
  ZExportQuery,
  ZImportQuery,
  ZImportResult,
  ZManifestText,
} from './fides-schemas.js';
import type { DataMap, InventoryImport } from './inventory-model.js';

type Deps = {
  /** The data map as it is now (the inventory's snapshot). */
  dataMap: () => Promise<DataMap>;
  /** Writes a plan in one transaction with its audit entry, matching entries by name; all or nothing. */
  applyImport: (context: AuditContext, plan: InventoryImport) => Promise<unknown>;
  audit: Pick<AuditWriter, 'record'>;
};

const tags = ['inventory'];
const manifestTypes = [...manifestMediaTypes.yaml, ...manifestMediaTypes.json];
const contentTypes: Record<ManifestFormat, string> = {
  yaml: 'application/yaml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** The data map as fideslang manifests: export for Fides or git, import from them (see docs/INVENTORY.md). */
export function fidesRoutes({ dataMap, applyImport, audit }: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    // The manifest is read as text in every format, so that YAML and JSON are checked alike and every
    // problem is named in one answer (this context only; JSON elsewhere keeps the app's parser).
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser(manifestTypes, { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );

    app.get(
      '/v1/inventory/fides',
      {
        config: { access: 'inventory.read' },
        schema: {
          tags,
          summary: 'Export the data map as a fideslang manifest (YAML or JSON)',
          description:
            'Every system (Custos itself included) as a `system` resource with `privacy_declarations` derived from the processing activities linking it, every vault collection as a `dataset`, and a top-level `custos` block with processors and activities, which Fides ignores and a Custos import reads back. Audited as `inventory.fides.exported`.',
          querystring: ZExportQuery,
          response: { 200: z.string().describe('The manifest') },
        },
      },
      async (request, reply) => {
        const { format } = request.query;
        const manifest = exportManifest(await dataMap());
        await audit.record(auditContextOf(request), {
          action: 'inventory.fides.exported',
          outcome: 'success',
          details: {
            format,
            systems: manifest.system.length,
            datasets: manifest.dataset.length,
            processors: manifest.custos.processors.length,
            activities: manifest.custos.activities.length,
          },
        });
        return reply
          .type(contentTypes[format])
          .header(
            'content-disposition',
            `attachment; filename="custos-data-map.${format === 'json' ? 'json' : 'yml'}"`,
          )
          .header('cache-control', 'no-store')
          .send(manifestText(manifest, format));
      },
    );

    app.post(
      '/v1/inventory/fides',
      {
        config: { access: 'inventory.manage' },
        bodyLimit: manifestLimits.bytes,
        schema: {
          tags,
          summary: 'Import a fideslang manifest into the data map (YAML or JSON)',
          description: `Systems, processors and activities named in the manifest are created or replaced (matched by name), all in one transaction, or nothing is written: a manifest with any problem (unknown fields, unknown taxonomy keys or country codes, duplicate keys, references to systems, datasets, purposes or collections that do not exist) answers \`validation_failed\` listing every bad path. Datasets are matched to vault collections by name and never change them (differences are warnings); a dataset matching no collection becomes a \`database\` system. \`?dryRun=true\` answers the plan and its differences without writing. At most ${manifestLimits.bytes} bytes, ${manifestLimits.systems} systems and ${manifestLimits.activities} activities.`,
          querystring: ZImportQuery,
          consumes: manifestTypes,
          body: ZManifestText,
          response: { 200: ZImportResult },
        },
      },
      async (request) => {
        const map = await dataMap();
        const { plan, warnings } = parseManifest(request.body, request.headers['content-type'] ?? '', map);
        const differences = differencesOf(map, plan);
        if (!request.query.dryRun) await applyImport(auditContextOf(request), plan);
        return { dryRun: request.query.dryRun, plan, differences, warnings };
      },
    );
  };
}
