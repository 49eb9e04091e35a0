import { randomUUID } from 'node:crypto';
import { AppError } from '../../lib/app-error.js';
import { pageOf, timeIdCursor } from '../../lib/paging.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { ExternalAuditRow, FindingRow } from './accountability-store.js';
import type { FindingSeverity, FindingStatus } from './accountability-tables.js';
import type { RegisterDeps } from './registers-common.js';

export type AuditInput = {
  auditor: string;
  scope: string;
  startedAt: Date;
  endedAt?: Date | null | undefined;
  reportReference?: string | null | undefined;
};

export type FindingInput = {
  title: string;
  severity: FindingSeverity;
  owner: string;
  dueAt?: Date | null | undefined;
  status?: FindingStatus | undefined;
};

export const isOpen = (status: FindingStatus) => status === 'open' || status === 'in_progress';

/** External audits (auditor, scope, dates, report reference) and their findings. */
export function externalAudits({ db, store, audit, clock }: RegisterDeps) {
  async function list(): Promise<(ExternalAuditRow & { findings: FindingRow[] })[]> {
    const [audits, findings] = await Promise.all([store.listAudits(db), store.findings(db)]);
    return audits.map((row) => ({ ...row, findings: findings.filter((f) => f.audit_id === row.id) }));
  }

  /** A page of audits, latest start first, each with all its findings. */
  async function page(cursor: string | undefined, limit: number) {
    const after = cursor ? timeIdCursor.decode(cursor) : undefined;
    const audits = await store.listAudits(db, { after, limit: limit + 1 });
    const findings = await store.findingsOf(
      db,
      audits.slice(0, limit).map((row) => row.id),
    );
    return pageOf(
      audits,
      limit,
      (row) => ({ ...row, findings: findings.filter((f) => f.audit_id === row.id) }),
      (row) => timeIdCursor.encode(row.started_at, row.id),
    );
  }

  async function create(context: AuditContext, input: AuditInput): Promise<ExternalAuditRow> {
    const now = clock.now();
    return db.transaction().execute(async (tx) => {
      const row = await store.insertAudit(tx, {
        id: randomUUID(),
        auditor: input.auditor,
        scope: input.scope,
        started_at: input.startedAt,
        ended_at: input.endedAt ?? null,
        report_reference: input.reportReference ?? null,
        created_at: now,
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: 'accountability.audit.created',
        outcome: 'success',
        target: { type: 'external_audit', id: row.id },
      });
      return row;
    });
  }

  async function update(context: AuditContext, id: string, changes: Partial<AuditInput>) {
    return db.transaction().execute(async (tx) => {
      const before = await store.findAudit(tx, id);
      if (!before) throw new AppError('not_found', 'Audit not found.');
      const startedAt = changes.startedAt ?? before.started_at;
      const endedAt = changes.endedAt !== undefined ? changes.endedAt : before.ended_at;
      if (endedAt && endedAt.getTime() < startedAt.getTime())
        throw new AppError('unprocessable', 'An audit cannot end before it starts.');
      const row = await store.updateAudit(tx, id, {
        ...(changes.auditor !== undefined ? { auditor: changes.auditor } : {}),
        ...(changes.scope !== undefined ? { scope: changes.scope } : {}),
        started_at: startedAt,
        ended_at: endedAt,
        ...(changes.reportReference !== undefined ? { report_reference: changes.reportReference } : {}),
        updated_at: clock.now(),
      });
      await audit.append(tx, context, {
        action: 'accountability.audit.updated',
        outcome: 'success',
        target: { type: 'external_audit', id },
        details: { fields: Object.keys(changes).sort() },
      });
      return row as ExternalAuditRow;
    });
  }

  async function addFinding(
    context: AuditContext,
    auditId: string,
    input: FindingInput,
  ): Promise<FindingRow> {
    const now = clock.now();
    return db.transaction().execute(async (tx) => {
      if (!(await store.findAudit(tx, auditId))) throw new AppError('not_found', 'Audit not found.');
      const status = input.status ?? 'open';
      const row = await store.insertFinding(tx, {
        id: randomUUID(),
        audit_id: auditId,
        title: input.title,
        severity: input.severity,
        owner: input.owner,
        due_at: input.dueAt ?? null,
        status,
        closed_at: isOpen(status) ? null : now,
        created_at: now,
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: 'accountability.finding.created',
        outcome: 'success',
        target: { type: 'audit_finding', id: row.id },
        details: { severity: input.severity, status },
      });
      return row;
    });
  }

  async function updateFinding(context: AuditContext, id: string, changes: Partial<FindingInput>) {
    return db.transaction().execute(async (tx) => {
      const before = await store.findFinding(tx, id);
      if (!before) throw new AppError('not_found', 'Finding not found.');
      const now = clock.now();
      const closing = changes.status !== undefined && isOpen(before.status) && !isOpen(changes.status);
      const reopening = changes.status !== undefined && !isOpen(before.status) && isOpen(changes.status);
      const row = await store.updateFinding(tx, id, {
        ...(changes.title !== undefined ? { title: changes.title } : {}),
        ...(changes.severity !== undefined ? { severity: changes.severity } : {}),
        ...(changes.owner !== undefined ? { owner: changes.owner } : {}),
        ...(changes.dueAt !== undefined ? { due_at: changes.dueAt } : {}),
        ...(changes.status !== undefined ? { status: changes.status } : {}),
        ...(closing ? { closed_at: now } : reopening ? { closed_at: null } : {}),
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: 'accountability.finding.updated',
        outcome: 'success',
        target: { type: 'audit_finding', id },
        details: { fields: Object.keys(changes).sort(), status: row?.status },
      });
      return row as FindingRow;
    });
  }

  /**
   * At `at`: the latest audit's end (or start, while it runs), and the findings raised by then and not
   * closed by then, overdue ones among them.
   */
  async function summary(at: Date = clock.now()) {
    const audits = (await list()).filter((row) => row.started_at.getTime() <= at.getTime());
    const openAt = (finding: FindingRow) =>
      finding.created_at.getTime() <= at.getTime() &&
      (finding.closed_at === null || finding.closed_at.getTime() > at.getTime());
    const open = audits.flatMap((row) => row.findings).filter(openAt);
    const latest = audits
      .map((row) => (row.ended_at && row.ended_at.getTime() <= at.getTime() ? row.ended_at : row.started_at))
      .sort((a, b) => b.getTime() - a.getTime())[0];
    return {
      audits: audits.length,
      lastAuditAt: latest ?? null,
      openFindings: open.length,
      overdueFindings: open.filter((finding) => finding.due_at && finding.due_at.getTime() < at.getTime())
        .length,
      openBySeverity: Object.fromEntries(
        (['critical', 'high', 'medium', 'low'] as const).map((severity) => [
          severity,
          open.filter((finding) => finding.severity === severity).length,
        ]),
      ),
      open,
    };
  }

  return { list, page, create, update, addFinding, updateFinding, summary };
}

export type ExternalAudits = ReturnType<typeof externalAudits>;
