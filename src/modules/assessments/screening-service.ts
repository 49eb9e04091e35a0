/**
 * Screenings, stored per activity (or per proposed activity) with their answers, result and the
 * fingerprint of the facts they rest on. Reading a screening re-screens when the activity's facts no
 * longer match the fingerprint, so a change made anywhere (another process, an import) is noticed on the
 * next read or the hourly job, without the inventory knowing about assessments.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { ActivityEntry, DataMap } from '../inventory/inventory-model.js';
import {
  type MapIndex,
  mapIndex,
  type ResolvedActivity,
  resolveActivity,
} from '../inventory/inventory-resolve.js';
import type { AssessmentStore, ScreeningRow } from './assessment-store.js';
import { activityFingerprint, type ScreeningAnswers, type ScreeningResult, screen } from './screening.js';

/** A processing activity not live yet, described by what it will link to. */
export type ProposedActivity = {
  name: string;
  description: string;
  purposeKeys: string[];
  collectionNames: string[];
  systemIds: string[];
  processorIds: string[];
  dataCategories: string[];
  dataSubjects: string[];
};

export type Screening = {
  id: string;
  activityId: string | null;
  proposed: ProposedActivity | null;
  name: string;
  answers: ScreeningAnswers;
  result: ScreeningResult;
  fingerprint: string;
  screenedAt: Date;
  screenedBy: string | null;
};

type Deps = {
  db: Kysely<DB>;
  store: AssessmentStore;
  audit: AuditWriter;
  clock: Clock;
  dataMap: () => Promise<DataMap>;
  /** Data subjects holding records in any of the named collections (the vault), counted up to the threshold. */
  subjectCounts: (collections: string[]) => Promise<number>;
  settings: { largeScaleSubjects: number };
};

const system: AuditContext = {
  actor: { type: 'system', id: 'assessments.screening' },
  requestId: null,
  ip: null,
};
const noAnswers: ScreeningAnswers = { criteria: {}, estimatedSubjects: null };

function proposedEntry(proposed: ProposedActivity, now: Date): ActivityEntry {
  return {
    id: 'proposed',
    name: proposed.name,
    description: proposed.description,
    role: 'controller',
    controller: null,
    jointControllers: [],
    purposeKeys: proposed.purposeKeys,
    collectionNames: proposed.collectionNames,
    systemIds: proposed.systemIds,
    processorIds: proposed.processorIds,
    measureIds: [],
    extraDataCategories: proposed.dataCategories,
    extraDataSubjects: proposed.dataSubjects,
    recipientCategories: [],
    transferSafeguards: [],
    retentionNote: '',
    createdAt: now,
    updatedAt: now,
  };
}

export function screeningOf(row: ScreeningRow, name: string): Screening {
  return {
    id: row.id,
    activityId: row.activity_id,
    proposed: (row.proposed as ProposedActivity | null) ?? null,
    name,
    answers: row.answers as unknown as ScreeningAnswers,
    result: row.result as unknown as ScreeningResult,
    fingerprint: row.fingerprint,
    screenedAt: row.screened_at,
    screenedBy: row.screened_by,
  };
}

export function screeningService({ db, store, audit, clock, dataMap, subjectCounts, settings }: Deps) {
  /** The result for one resolved activity, and its fingerprint. */
  async function evaluate(resolved: ResolvedActivity, answers: ScreeningAnswers, previous: string | null) {
    const names = resolved.activity.collectionNames;
    const counted = names.length ? await subjectCounts(names) : 0;
    const subjectCount = counted > 0 ? counted : null;
    const largeScale = subjectCount === null ? null : subjectCount >= settings.largeScaleSubjects;
    const fingerprint = activityFingerprint(resolved, largeScale);
    const result = screen(resolved, answers, {
      subjectCount,
      largeScaleThreshold: settings.largeScaleSubjects,
      isNew: previous === null || previous !== fingerprint || resolved.activity.id === 'proposed',
    });
    return { result, fingerprint };
  }

  function resolvedOf(index: MapIndex, row: ScreeningRow | undefined, activity?: ActivityEntry) {
    if (activity) return resolveActivity(index, activity);
    if (row?.proposed)
      return resolveActivity(index, proposedEntry(row.proposed as ProposedActivity, clock.now()));
    return null;
  }

  /**
   * The screening of an activity as it stands now: created on first read, re-screened (with the answers
   * kept) when the activity's facts changed. Returns the fingerprint so callers can compare DPIAs.
   */
  async function current(index: MapIndex, activity: ActivityEntry): Promise<Screening> {
    const resolved = resolveActivity(index, activity);
    const stored = await store.screeningOfActivity(db, activity.id);
    if (stored) {
      const { result, fingerprint } = await evaluate(
        resolved,
        stored.answers as unknown as ScreeningAnswers,
        stored.fingerprint,
      );
      if (fingerprint === stored.fingerprint) return screeningOf(stored, activity.name);
      return rescreen(stored.id, activity.name, result, fingerprint);
    }
    const { result, fingerprint } = await evaluate(resolved, noAnswers, null);
    const row = await db.transaction().execute(async (tx) => {
      const now = clock.now();
      const inserted = await store.insertActivityScreening(tx, {
        id: randomUUID(),
        activity_id: activity.id,
        proposed: null,
        answers: JSON.stringify(noAnswers),
        result: JSON.stringify(result),
        outcome: result.outcome,
        fingerprint,
        screened_at: now,
        screened_by: null,
        created_at: now,
      });
      // Another process screened it first: its row stands, and it wrote the audit entry.
      if (!inserted) return (await store.screeningOfActivity(tx, activity.id)) as ScreeningRow;
      await audit.append(tx, system, {
        action: 'assessments.screening.recorded',
        outcome: 'success',
        target: { type: 'processing_activity', id: activity.id },
        details: { outcome: result.outcome, metCount: result.metCount, automatic: true },
      });
      return inserted;
    });
    return screeningOf(row, activity.name);
  }

  async function rescreen(id: string, name: string, result: ScreeningResult, fingerprint: string) {
    const row = await db.transaction().execute(async (tx) => {
      const updated = await store.updateScreening(tx, id, {
        result: JSON.stringify(result),
        outcome: result.outcome,
        fingerprint,
        screened_at: clock.now(),
        screened_by: null,
      });
      await audit.append(tx, system, {
        action: 'assessments.screening.rescreened',
        outcome: 'success',
        target: { type: 'assessment_screening', id },
        details: { outcome: result.outcome, metCount: result.metCount, reason: 'activity_changed' },
      });
      return updated;
    });
    return screeningOf(row, name);
  }

  /** Every activity's screening (re-screened where it changed) and every proposed activity's. */
  async function list(): Promise<Screening[]> {
    const map = await dataMap();
    const index = mapIndex(map);
    const screenings: Screening[] = [];
    for (const activity of map.activities) screenings.push(await current(index, activity));
    for (const row of await store.screenings(db))
      if (row.proposed) screenings.push(screeningOf(row, (row.proposed as ProposedActivity).name));
    return screenings;
  }

  async function ofActivity(activityId: string): Promise<Screening> {
    const map = await dataMap();
    const activity = map.activities.find((entry) => entry.id === activityId);
    if (!activity) throw new AppError('not_found', 'Processing activity not found.');
    return current(mapIndex(map), activity);
  }

  /** A screening by id, re-screened first when it is an activity's. */
  async function get(id: string): Promise<Screening> {
    const row = await store.screening(db, id);
    if (!row) throw new AppError('not_found', 'Screening not found.');
    if (row.activity_id) return ofActivity(row.activity_id);
    return screeningOf(row, (row.proposed as ProposedActivity).name);
  }

  /** Screens a proposed activity (not in the map yet) from what it will link to. */
  async function screenProposed(
    context: AuditContext,
    proposed: ProposedActivity,
    answers: ScreeningAnswers,
  ): Promise<Screening> {
    const index = mapIndex(await dataMap());
    const { result, fingerprint } = await evaluate(
      resolveActivity(index, proposedEntry(proposed, clock.now())),
      answers,
      null,
    );
    const row = await db.transaction().execute(async (tx) => {
      const now = clock.now();
      const inserted = await store.insertScreening(tx, {
        id: randomUUID(),
        activity_id: null,
        proposed: JSON.stringify(proposed),
        answers: JSON.stringify(answers),
        result: JSON.stringify(result),
        outcome: result.outcome,
        fingerprint,
        screened_at: now,
        screened_by: context.actor.id,
        created_at: now,
      });
      await audit.append(tx, context, {
        action: 'assessments.screening.recorded',
        outcome: 'success',
        target: { type: 'assessment_screening', id: inserted.id },
        details: { outcome: result.outcome, metCount: result.metCount, proposed: true },
      });
      return inserted;
    });
    return screeningOf(row, proposed.name);
  }

  /** Records a person's answers and screens again with them. */
  async function answer(context: AuditContext, id: string, answers: ScreeningAnswers): Promise<Screening> {
    const stored = await store.screening(db, id);
    if (!stored) throw new AppError('not_found', 'Screening not found.');
    const map = await dataMap();
    const activity = stored.activity_id
      ? map.activities.find((entry) => entry.id === stored.activity_id)
      : undefined;
    if (stored.activity_id && !activity)
      throw new AppError('not_found', 'The screened activity no longer exists.');
    const resolved = resolvedOf(mapIndex(map), stored, activity) as ResolvedActivity;
    const { result, fingerprint } = await evaluate(resolved, answers, stored.fingerprint);
    const row = await db.transaction().execute(async (tx) => {
      const updated = await store.updateScreening(tx, id, {
        answers: JSON.stringify(answers),
        result: JSON.stringify(result),
        outcome: result.outcome,
        fingerprint,
        screened_at: clock.now(),
        screened_by: context.actor.id,
      });
      await audit.append(tx, context, {
        action: 'assessments.screening.answered',
        outcome: 'success',
        target: { type: 'assessment_screening', id },
        details: {
          outcome: result.outcome,
          metCount: result.metCount,
          answered: Object.keys(answers.criteria),
        },
      });
      return updated;
    });
    return screeningOf(row, activity?.name ?? (stored.proposed as ProposedActivity).name);
  }

  /** The resolved activity and fingerprint a DPIA is pre-filled from and compared with. */
  async function factsOf(screening: Screening) {
    const map = await dataMap();
    const index = mapIndex(map);
    const activity = screening.activityId
      ? map.activities.find((entry) => entry.id === screening.activityId)
      : undefined;
    const resolved = screening.proposed
      ? resolveActivity(index, proposedEntry(screening.proposed, clock.now()))
      : activity
        ? resolveActivity(index, activity)
        : null;
    return { map, resolved };
  }

  return { list, ofActivity, get, screenProposed, answer, factsOf };
}

export type ScreeningService = ReturnType<typeof screeningService>;
