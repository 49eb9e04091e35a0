import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { type Baseline, standardDeviation, volumeMetrics } from './baseline.js';
import type { MonitoringSettings } from './monitoring-settings.js';
import type { MonitoringStore, PrincipalKey, PrincipalRow, ScoreRow } from './monitoring-store.js';
import { isWarm } from './scoring.js';

const sparklineHours = 48;

/** A principal as the console shows it: its baseline in figures and its recent scores. */
export type PrincipalView = {
  type: 'operator' | 'api_key';
  id: string;
  role: string;
  firstSeenAt: string;
  lastSeenAt: string;
  activeHours: number;
  warm: boolean;
  score: number | null;
  scoredAt: string | null;
  baseline: Record<(typeof volumeMetrics)[number], { mean: number; sd: number }>;
  networks: number;
  purposes: string[];
  /** Hours of day (UTC) it has been active in, counted. */
  hourOfDay: number[];
  recent: { hour: string; score: number }[];
  factors: unknown;
};

const round = (value: number) => Math.round(value * 10) / 10;

function viewOf(row: PrincipalRow, scores: readonly ScoreRow[], settings: MonitoringSettings): PrincipalView {
  const state = row.state as Baseline;
  return {
    type: row.principal_type,
    id: row.principal_id,
    role: row.role,
    firstSeenAt: new Date(row.first_seen_at).toISOString(),
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
    activeHours: row.active_hours,
    warm: isWarm(state, settings),
    score: row.score,
    scoredAt: row.scored_at ? new Date(row.scored_at).toISOString() : null,
    baseline: Object.fromEntries(
      volumeMetrics.map((metric) => [
        metric,
        { mean: round(state.volume[metric].mean), sd: round(standardDeviation(state.volume[metric])) },
      ]),
    ) as PrincipalView['baseline'],
    networks: Object.keys(state.networks).length,
    purposes: Object.keys(state.purposes).slice(0, 20),
    hourOfDay: state.hourOfDay,
    recent: scores.map((s) => ({ hour: new Date(s.hour).toISOString(), score: s.score })),
    factors: scores.at(-1)?.factors ?? [],
  };
}

/** What the console reads: principals by score with their sparklines, one principal, the settings. */
export function monitoringReader({
  db,
  store,
  clock,
  settings,
}: {
  db: Kysely<DB>;
  store: MonitoringStore;
  clock: Clock;
  settings: () => Promise<MonitoringSettings>;
}) {
  const since = () => new Date(clock.now().getTime() - sparklineHours * 3_600_000);

  async function views(rows: readonly PrincipalRow[]): Promise<PrincipalView[]> {
    const keys: PrincipalKey[] = rows.map((row) => ({ type: row.principal_type, id: row.principal_id }));
    const scores = await store.scoresSince(db, keys, since());
    const current = await settings();
    return rows.map((row) =>
      viewOf(
        row,
        scores.filter((s) => s.principal_type === row.principal_type && s.principal_id === row.principal_id),
        current,
      ),
    );
  }

  /** Principals, highest latest score first. */
  async function list(
    limit: number,
    offset: number,
  ): Promise<{ items: PrincipalView[]; cursor: { entries: number; ranAt: string | null } }> {
    const rows = await store.listPrincipals(db, limit, offset);
    const cursor = await store.cursor(db);
    return {
      items: await views(rows),
      cursor: { entries: Number(cursor.entries), ranAt: cursor.ran_at ? cursor.ran_at.toISOString() : null },
    };
  }

  async function get(key: PrincipalKey): Promise<PrincipalView> {
    const row = await store.findPrincipal(db, key);
    if (!row) throw new AppError('not_found', 'Monitoring has seen no activity of this principal.');
    const [view] = await views([row]);
    return view as PrincipalView;
  }

  return { list, get };
}

export type MonitoringReader = ReturnType<typeof monitoringReader>;
