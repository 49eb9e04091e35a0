import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditWriter } from '../audit/audit-types.js';
import type { AccountabilityStore } from './accountability-store.js';

export const dayMs = 86_400_000;

/** An operator as the registers see them: who must train, who acknowledged, where reminders go. */
export type StaffMember = {
  id: string;
  displayName: string;
  email: string;
  roles: readonly string[];
  status: 'invited' | 'active' | 'disabled';
  lastLoginAt: Date | null;
};

/** What every register service is given. */
export type RegisterDeps = {
  db: Kysely<DB>;
  store: AccountabilityStore;
  audit: Pick<AuditWriter, 'append'>;
  clock: Clock;
};

export const addDaysTo = (at: Date, days: number) => new Date(at.getTime() + days * dayMs);

/** Whole days from `from` to `to`, rounded down; negative when `to` is earlier. */
export const daysBetween = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / dayMs);

/** A rate as a percentage with one decimal, or null when there is nothing to divide by. */
export function percentage(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}
