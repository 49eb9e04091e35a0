import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { AppError } from '../../lib/app-error.js';
import { isStorableText } from '../../lib/storable-text.js';
import type { AuditContext } from '../audit/audit-types.js';
import { addDaysTo, type RegisterDeps, type StaffMember } from './registers-common.js';

/** One refused line of an import: its number and what is wrong, never the value. */
export type ImportProblem = { line: number; column: string; message: string };
export type ImportResult = { created: number; updated: number; unchanged: number };

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function rowsOf(csv: string): Record<string, string>[] {
  try {
    return parse(csv, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      trim: true,
      skip_empty_lines: true,
      bom: true,
    }) as Record<string, string>[];
  } catch {
    throw new AppError(
      'unprocessable',
      'The CSV cannot be read: check quoting and that every line has the header’s columns.',
    );
  }
}

function checker(problems: ImportProblem[], line: number, row: Record<string, string>) {
  const text = (column: string, max: number, required = true): string | null => {
    const value = row[column] ?? '';
    if (!value) {
      if (required) problems.push({ line, column, message: 'is required' });
      return null;
    }
    if (value.length > max || !isStorableText(value)) {
      problems.push({ line, column, message: `must be storable text of at most ${max} characters` });
      return null;
    }
    return value;
  };
  const date = (column: string, required = true): Date | null => {
    const value = row[column] ?? '';
    if (!value) {
      if (required) problems.push({ line, column, message: 'is required' });
      return null;
    }
    const at = new Date(`${value}T00:00:00.000Z`);
    if (!datePattern.test(value) || Number.isNaN(at.getTime())) {
      problems.push({ line, column, message: 'must be a date as YYYY-MM-DD' });
      return null;
    }
    return at;
  };
  const integer = (column: string, min: number, max: number): number | null => {
    const value = Number(row[column] ?? '');
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push({ line, column, message: `must be a whole number from ${min} to ${max}` });
      return null;
    }
    return value;
  };
  return { text, date, integer };
}

function refuse(problems: ImportProblem[]): never {
  throw new AppError('unprocessable', `${problems.length} problem(s) in the CSV; nothing was imported.`, {
    extensions: { problems: problems.slice(0, 100) },
  });
}

type Deps = RegisterDeps & { staff: () => Promise<StaffMember[]> };

/**
 * Imports of the registers kept elsewhere: policies (matched by title, so a re-import updates) and training
 * completions (course by title, operator by e-mail). All lines are checked first; one bad line imports
 * nothing, and each problem names its line and column without echoing the value.
 */
export function registerImport({ db, store, audit, clock, staff }: Deps) {
  /** Columns: title, owner, version, approved_on, review_interval_days, document_url (optional). */
  async function policies(context: AuditContext, csv: string): Promise<ImportResult> {
    const problems: ImportProblem[] = [];
    const parsed = rowsOf(csv).map((row, index) => {
      const check = checker(problems, index + 2, row);
      return {
        title: check.text('title', 200),
        owner: check.text('owner', 200),
        version: check.text('version', 50),
        approvedAt: check.date('approved_on', false),
        interval: check.integer('review_interval_days', 1, 3660),
        documentUrl: check.text('document_url', 2000, false),
      };
    });
    if (parsed.length === 0) problems.push({ line: 1, column: 'title', message: 'no lines to import' });
    if (problems.length > 0) refuse(problems);
    const now = clock.now();
    return db.transaction().execute(async (tx) => {
      const result: ImportResult = { created: 0, updated: 0, unchanged: 0 };
      for (const row of parsed) {
        const title = row.title as string;
        const interval = row.interval as number;
        const fields = {
          owner: row.owner as string,
          version: row.version as string,
          approved_at: row.approvedAt,
          review_interval_days: interval,
          next_review_at: addDaysTo(row.approvedAt ?? now, interval),
          document_url: row.documentUrl,
        };
        const existing = await store.findPolicyByTitle(tx, title);
        if (!existing) {
          await store.insertPolicy(tx, {
            id: randomUUID(),
            title,
            ...fields,
            created_at: now,
            updated_at: now,
          });
          result.created += 1;
        } else if (
          existing.version === fields.version &&
          existing.owner === fields.owner &&
          existing.review_interval_days === interval &&
          (existing.approved_at?.getTime() ?? null) === (fields.approved_at?.getTime() ?? null) &&
          existing.document_url === fields.document_url
        ) {
          result.unchanged += 1;
        } else {
          if (!fields.approved_at) fields.next_review_at = addDaysTo(existing.created_at, interval);
          await store.updatePolicy(tx, existing.id, { ...fields, updated_at: now });
          result.updated += 1;
        }
      }
      await audit.append(tx, context, {
        action: 'accountability.policies.imported',
        outcome: 'success',
        details: { ...result },
      });
      return result;
    });
  }

  /** Columns: course (title), operator_email, completed_on, expires_on (optional). */
  async function completions(context: AuditContext, csv: string): Promise<ImportResult> {
    const problems: ImportProblem[] = [];
    const [people, courses] = await Promise.all([staff(), store.listCourses(db)]);
    const byEmail = new Map(people.map((person) => [person.email.toLowerCase(), person.id]));
    const byTitle = new Map(courses.map((course) => [course.title.toLowerCase(), course]));
    const parsed = rowsOf(csv).map((row, index) => {
      const line = index + 2;
      const check = checker(problems, line, row);
      const title = check.text('course', 200);
      const email = check.text('operator_email', 320);
      const course = title ? byTitle.get(title.toLowerCase()) : undefined;
      const operatorId = email ? byEmail.get(email.toLowerCase()) : undefined;
      if (title && !course) problems.push({ line, column: 'course', message: 'names no course' });
      if (email && !operatorId)
        problems.push({ line, column: 'operator_email', message: 'names no operator' });
      return {
        course,
        operatorId,
        completedAt: check.date('completed_on'),
        expiresAt: check.date('expires_on', false),
      };
    });
    if (parsed.length === 0) problems.push({ line: 1, column: 'course', message: 'no lines to import' });
    if (problems.length > 0) refuse(problems);
    const now = clock.now();
    return db.transaction().execute(async (tx) => {
      const result: ImportResult = { created: 0, updated: 0, unchanged: 0 };
      for (const row of parsed) {
        const course = row.course as NonNullable<typeof row.course>;
        const completedAt = row.completedAt as Date;
        const inserted = await store.insertCompletion(tx, {
          id: randomUUID(),
          course_id: course.id,
          operator_id: row.operatorId as string,
          completed_at: completedAt,
          expires_at:
            row.expiresAt ?? (course.validity_days ? addDaysTo(completedAt, course.validity_days) : null),
          source: 'import',
          created_at: now,
        });
        if (inserted) result.created += 1;
        else result.unchanged += 1;
      }
      await audit.append(tx, context, {
        action: 'accountability.training.imported',
        outcome: 'success',
        details: { ...result },
      });
      return result;
    });
  }

  return { policies, completions };
}

export type RegisterImport = ReturnType<typeof registerImport>;
