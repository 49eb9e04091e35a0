import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AuditContext } from '../audit/audit-types.js';
import { ZPurposeDefinition } from '../consent/consent-schemas.js';
import { ZCollectionDefinition } from '../vault/collection-schema.js';
import type { RetentionPolicies } from './retention-policies.js';
import { ZRetentionPolicyInput } from './retention-schemas.js';

/**
 * A retention schedule as a file: the rules, and the collections and purposes they name, so that a
 * schedule such as the one in examples/retention-schedule.json loads into an empty Custos. Collections and
 * purposes that exist already are left as they are; rules are created or replaced by name.
 */
export const ZScheduleFile = z.object({
  $comment: z.string().max(4000).optional(),
  collections: z.array(ZCollectionDefinition).max(200).default([]),
  purposes: z.array(ZPurposeDefinition).max(200).default([]),
  rules: z
    .array(ZRetentionPolicyInput.extend({ $comment: z.string().max(1000).optional() }))
    .min(1)
    .max(500),
});

export type ScheduleFile = z.output<typeof ZScheduleFile>;

/** Reads and checks a schedule file; the error names each bad entry by its path, never its value. */
export function readScheduleFile(path: string): ScheduleFile {
  const parsed = ZScheduleFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
  throw new Error(`${path} is not a retention schedule:\n  ${problems.join('\n  ')}`);
}

type Deps = {
  collections: {
    list(): Promise<{ name: string }[]>;
    create(context: AuditContext, definition: ScheduleFile['collections'][number]): Promise<unknown>;
  };
  purposes: {
    list(): Promise<{ key: string }[]>;
    create(context: AuditContext, definition: ScheduleFile['purposes'][number]): Promise<unknown>;
  };
  policies: Pick<RetentionPolicies, 'apply'>;
};

/** Loads a schedule: missing collections and purposes first, then every rule. */
export function scheduleLoader({ collections, purposes, policies }: Deps) {
  return async function load(context: AuditContext, schedule: ScheduleFile) {
    const knownCollections = new Set((await collections.list()).map((row) => row.name));
    const knownPurposes = new Set((await purposes.list()).map((row) => row.key));
    const createdCollections = schedule.collections.filter((c) => !knownCollections.has(c.name));
    const createdPurposes = schedule.purposes.filter((p) => !knownPurposes.has(p.key));
    for (const definition of createdCollections) await collections.create(context, definition);
    for (const definition of createdPurposes) await purposes.create(context, definition);
    const rules = await policies.apply(
      context,
      schedule.rules.map(({ $comment: _comment, ...rule }) => rule),
    );
    return {
      collections: createdCollections.map((c) => c.name),
      purposes: createdPurposes.map((p) => p.key),
      rules: rules.map((rule) => rule.name),
    };
  };
}
