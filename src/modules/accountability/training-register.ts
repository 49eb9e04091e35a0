import { randomUUID } from 'node:crypto';
import { AppError } from '../../lib/app-error.js';
import { pageOf, textIdCursor, timeIdCursor } from '../../lib/paging.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { MailService } from '../mail/mail-service.js';
import type { CompletionRow, CourseRow } from './accountability-store.js';
import { addDaysTo, percentage, type RegisterDeps, type StaffMember } from './registers-common.js';

export type CourseInput = {
  title: string;
  description?: string | null | undefined;
  requiredRoles: string[];
  validityDays?: number | null | undefined;
};

export type CourseView = CourseRow & {
  /** Active operators holding one of the required roles. */
  required: number;
  /** Of them, those with a completion that has not expired. */
  current: number;
  completionRate: number | null;
};

type Deps = RegisterDeps & {
  staff: () => Promise<StaffMember[]>;
  mail: Pick<MailService, 'enqueue'>;
  settings: { reminderDays: number; batchSize: number };
};

/** Training: courses, who must take them (by role), completions and their expiry, rates and reminders. */
export function trainingRegister({ db, store, audit, clock, staff, mail, settings }: Deps) {
  const isCurrent = (completion: CompletionRow, at: Date) =>
    completion.completed_at.getTime() <= at.getTime() &&
    (completion.expires_at === null || completion.expires_at.getTime() > at.getTime());

  function mustTake(course: CourseRow, person: StaffMember): boolean {
    return person.status === 'active' && person.roles.some((role) => course.required_roles.includes(role));
  }

  function rateOf(course: CourseRow, people: StaffMember[], completions: CompletionRow[], at: Date) {
    const required = people.filter((person) => mustTake(course, person));
    const done = new Set(
      completions
        .filter((completion) => completion.course_id === course.id && isCurrent(completion, at))
        .map((completion) => completion.operator_id),
    );
    const current = required.filter((person) => done.has(person.id)).length;
    return { required: required.length, current, completionRate: percentage(current, required.length) };
  }

  /** Every course with its completion rate now (or at `at`). */
  async function courses(at: Date = clock.now()): Promise<CourseView[]> {
    const [rows, people, completions] = await Promise.all([
      store.listCourses(db),
      staff(),
      store.completions(db),
    ]);
    return rows.map((course) => ({ ...course, ...rateOf(course, people, completions, at) }));
  }

  /** A page of courses by title with their completion rates now, after the previous page's last one. */
  async function coursePage(cursor: string | undefined, limit: number, at: Date = clock.now()) {
    const after = cursor ? textIdCursor.decode(cursor) : undefined;
    const [rows, people, completions] = await Promise.all([
      store.listCourses(db, { after, limit: limit + 1 }),
      staff(),
      store.completions(db),
    ]);
    return pageOf(
      rows,
      limit,
      (course): CourseView => ({ ...course, ...rateOf(course, people, completions, at) }),
      (course) => textIdCursor.encode(course.title, course.id),
    );
  }

  /** A page of completions, newest first, of one course or of all. */
  async function completionPage(courseId: string | undefined, cursor: string | undefined, limit: number) {
    const after = cursor ? timeIdCursor.decode(cursor) : undefined;
    const rows = await store.completions(db, courseId, { after, limit: limit + 1 });
    return pageOf(
      rows,
      limit,
      (row) => row,
      (row) => timeIdCursor.encode(row.completed_at, row.id),
    );
  }

  /**
   * The overall rate: (operator, required course) pairs with a current completion ÷ all such pairs.
   * Null when no course is required of anyone.
   */
  async function overall(at: Date = clock.now()) {
    const views = await courses(at);
    const required = views.reduce((sum, course) => sum + course.required, 0);
    const current = views.reduce((sum, course) => sum + course.current, 0);
    return { courses: views.length, required, current, completionRate: percentage(current, required) };
  }

  async function createCourse(context: AuditContext, input: CourseInput): Promise<CourseRow> {
    const now = clock.now();
    return db.transaction().execute(async (tx) => {
      if (await store.findCourseByTitle(tx, input.title))
        throw new AppError('conflict', 'A course with this title exists.');
      const row = await store.insertCourse(tx, {
        id: randomUUID(),
        title: input.title,
        description: input.description ?? null,
        required_roles: input.requiredRoles,
        validity_days: input.validityDays ?? null,
        created_at: now,
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: 'accountability.course.created',
        outcome: 'success',
        target: { type: 'course', id: row.id },
        details: { requiredRoles: input.requiredRoles },
      });
      return row;
    });
  }

  async function updateCourse(context: AuditContext, id: string, changes: Partial<CourseInput>) {
    return db.transaction().execute(async (tx) => {
      const row = await store.updateCourse(tx, id, {
        ...(changes.title !== undefined ? { title: changes.title } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.requiredRoles !== undefined ? { required_roles: changes.requiredRoles } : {}),
        ...(changes.validityDays !== undefined ? { validity_days: changes.validityDays } : {}),
        updated_at: clock.now(),
      });
      if (!row) throw new AppError('not_found', 'Course not found.');
      await audit.append(tx, context, {
        action: 'accountability.course.updated',
        outcome: 'success',
        target: { type: 'course', id },
        details: { fields: Object.keys(changes).sort() },
      });
      return row;
    });
  }

  /**
   * Records that an operator completed a course; it expires after the course's validity unless a date is
   * given. Recording the same completion twice records it once.
   */
  async function recordCompletion(
    context: AuditContext,
    input: {
      courseId: string;
      operatorId: string;
      completedAt: Date;
      expiresAt?: Date | null | undefined;
      source: 'console' | 'import';
    },
  ): Promise<CompletionRow> {
    const people = await staff();
    if (!people.some((person) => person.id === input.operatorId))
      throw new AppError('unprocessable', 'No such operator.');
    return db.transaction().execute(async (tx) => {
      const course = await store.findCourse(tx, input.courseId);
      if (!course) throw new AppError('not_found', 'Course not found.');
      const expiresAt =
        input.expiresAt !== undefined
          ? input.expiresAt
          : course.validity_days
            ? addDaysTo(input.completedAt, course.validity_days)
            : null;
      const row = await store.insertCompletion(tx, {
        id: randomUUID(),
        course_id: course.id,
        operator_id: input.operatorId,
        completed_at: input.completedAt,
        expires_at: expiresAt,
        source: input.source,
        created_at: clock.now(),
      });
      if (!row) throw new AppError('conflict', 'This completion is recorded already.');
      await audit.append(tx, context, {
        action: 'accountability.training.completed',
        outcome: 'success',
        target: { type: 'course', id: course.id },
        details: { operatorId: input.operatorId, source: input.source },
      });
      return row;
    });
  }

  /**
   * Mails each operator whose training expires within the reminder horizon, once per completion (the
   * daily job). The mark and the mail share a transaction, and the mark is guarded, so several workers
   * send one reminder.
   */
  async function remindExpiring(): Promise<number> {
    const now = clock.now();
    const due = await store.expiringUnreminded(db, addDaysTo(now, settings.reminderDays), settings.batchSize);
    if (due.length === 0) return 0;
    const [people, rows] = await Promise.all([staff(), store.listCourses(db)]);
    const byId = new Map(people.map((person) => [person.id, person]));
    const titles = new Map(rows.map((course) => [course.id, course.title]));
    let sent = 0;
    for (const completion of due) {
      const person = byId.get(completion.operator_id);
      const title = titles.get(completion.course_id);
      await db.transaction().execute(async (tx) => {
        if (!(await store.markReminded(tx, completion.id, now))) return;
        // A departed or disabled operator, or a deleted course, needs no reminder; the mark stops retries.
        if (person?.status !== 'active' || !title || !completion.expires_at) return;
        const expired = completion.expires_at.getTime() <= now.getTime();
        await mail.enqueue(tx, {
          kind: 'training_expiry',
          to: person.email,
          subject: expired ? `Your training "${title}" has expired` : `Your training "${title}" expires soon`,
          text: [
            `Hello ${person.displayName},`,
            '',
            `your completion of "${title}" ${expired ? 'expired' : 'expires'} on ${completion.expires_at.toISOString().slice(0, 10)}.`,
            'Please take the course again and ask your privacy team to record it.',
          ].join('\n'),
          reference: { type: 'training_completion', id: completion.id },
        });
        sent += 1;
      });
    }
    return sent;
  }

  return {
    courses,
    coursePage,
    overall,
    createCourse,
    updateCourse,
    recordCompletion,
    completions: (courseId?: string) => store.completions(db, courseId),
    completionPage,
    remindExpiring,
  };
}

export type TrainingRegister = ReturnType<typeof trainingRegister>;
