import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { type MetricProvider, provide, round1 } from './metrics.js';
import type { ReportsStore } from './reports-store.js';

/** What encryption coverage reads: the data map's systems, collection assets with their fields. */
export type CoverageSystem = {
  origin: string;
  dataCategories: string[];
  encryptionRequired: boolean;
  fields: { dataCategory: string; encrypted: boolean }[] | null;
};

type Deps = {
  db: Kysely<DB>;
  store: ReportsStore;
  /** The inventory's data map (collections derived from the vault, registered systems). */
  systems: () => Promise<CoverageSystem[]>;
  /** The retention module's compliance rate, 0..1. */
  retentionRate: () => Promise<number>;
};

const isPersonal = (category: string) => category === 'user' || category.startsWith('user.');

/** Sealed personal-data fields and encryption-required systems ÷ all of them, in %; null when none. */
export function encryptionCoverage(systems: CoverageSystem[]): number | null {
  let covered = 0;
  let total = 0;
  for (const system of systems) {
    if (system.fields) {
      for (const field of system.fields.filter((entry) => isPersonal(entry.dataCategory))) {
        total += 1;
        if (field.encrypted) covered += 1;
      }
    } else if (system.origin === 'registered' && system.dataCategories.some(isPersonal)) {
      total += 1;
      if (system.encryptionRequired) covered += 1;
    }
  }
  return total === 0 ? null : round1((covered / total) * 100);
}

/** The metrics over requests, consent, breaches, the audit trail, the data map and retention. */
export function coreMetrics({ db, store, systems, retentionRate }: Deps): MetricProvider[] {
  return [
    provide('dsrs_pending', (period) => store.pendingAt(db, period.to)),
    provide('average_response_hours', async (period) => {
      const { meanSeconds } = await store.completedIn(db, period.from, period.to);
      return meanSeconds === null ? null : round1(meanSeconds / 3600);
    }),
    provide('consent_withdrawal_rate', async (period) => {
      const { grants, withdrawals } = await store.consentIn(db, period.from, period.to);
      return grants + withdrawals === 0 ? null : round1((withdrawals / (grants + withdrawals)) * 100);
    }),
    provide('breaches_in_period', (period) => store.breachesIn(db, period.from, period.to)),
    provide('encryption_coverage', async () => encryptionCoverage(await systems())),
    provide('access_control_violations', (period) => store.deniedAccessesIn(db, period.from, period.to)),
    provide('retention_compliance_rate', async () => round1((await retentionRate()) * 100)),
  ];
}
