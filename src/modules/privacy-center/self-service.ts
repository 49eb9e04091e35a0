import { AppError } from '../../lib/app-error.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { CheckService, StandingView } from '../consent/check-service.js';
import type { HistoryItem } from '../consent/consent-export.js';
import type { ProofInput } from '../consent/consent-proof.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { PurposeService } from '../consent/purpose-service.js';
import type { PurposeRow } from '../consent/purpose-store.js';
import type { RequestExports } from '../requests/request-exports.js';
import { isClosed } from '../requests/request-lifecycle.js';
import type { RequestService } from '../requests/request-service.js';
import type { RequestView } from '../requests/request-views.js';
import type { CollectionService } from '../vault/collection-service.js';
import type { RecordService } from '../vault/record-service.js';
import { profileCollectionName } from './profile-collection.js';

/** Rights a subject asks for in the privacy center and the team works; portability is served at once. */
export const selfServiceRequestTypes = [
  'access',
  'rectification',
  'erasure',
  'restriction',
  'objection',
] as const;
export type SelfServiceRequestType = (typeof selfServiceRequestTypes)[number];

export type ConsentAction = 'grant' | 'withdraw' | 'object';

type Deps = {
  records: Pick<RecordService, 'readOwnRecordsDecrypted' | 'checkChanges'>;
  collections: Pick<CollectionService, 'list'>;
  purposes: Pick<PurposeService, 'list' | 'require'>;
  checks: Pick<CheckService, 'standing'>;
  consent: Pick<ConsentService, 'record' | 'history' | 'applyGpc'>;
  requests: Pick<RequestService, 'file' | 'list' | 'get' | 'transition' | 'withdraw'>;
  requestExports: Pick<RequestExports, 'create'>;
};

/**
 * What a subject may do about a purpose next, from its legal basis and their standing choice: grant or
 * withdraw a consent; object to (or accept again) processing on public task or legitimate interests; opt
 * out of (or back in to) a sale or sharing on another basis. Processing needed for a contract or a legal
 * obligation offers no choice.
 */
export function consentActionsFor(purpose: PurposeRow, standing: StandingView | undefined): ConsentAction[] {
  const status = standing?.choice?.status ?? null;
  if (purpose.legal_basis === 'consent') return status === 'granted' ? ['withdraw'] : ['grant'];
  if (purpose.legal_basis === 'public_task' || purpose.legal_basis === 'legitimate_interests') {
    return standing?.choice?.objectedAt ? ['grant'] : ['object'];
  }
  if (purpose.ccpa_sale || purpose.ccpa_sharing) {
    return status === 'withdrawn' || status === 'denied' ? ['grant'] : ['withdraw'];
  }
  return [];
}

const methodOf = { grant: 'explicit_opt_in', withdraw: 'opt_out', object: 'opt_out' } as const;

/** The part of a request its subject sees: what, where it stands, and by when. */
function subjectViewOf(view: RequestView) {
  return {
    id: view.id,
    type: view.type,
    state: view.state,
    receivedAt: view.receivedAt,
    dueDate: view.dueDate,
    daysLeft: view.daysLeft,
    overdue: view.overdue,
    extended: view.extension !== null,
    verified: view.verification !== null,
    rejectionReason: view.rejectionReason,
    closedAt: view.closedAt,
    canWithdraw: view.allowedTransitions.includes('withdrawn'),
  };
}

export type SubjectRequestView = ReturnType<typeof subjectViewOf>;

/** The privacy center's pages, for the signed-in subject and only about them. */
export function selfService({
  records,
  collections,
  purposes,
  checks,
  consent,
  requests,
  requestExports,
}: Deps) {
  /** Everything the vault holds about the subject, in clear for them, with what each field is. */
  async function myData(context: AuditContext, subjectId: string) {
    const views = await records.readOwnRecordsDecrypted(context, subjectId);
    const definitions = new Map((await collections.list()).map((row) => [row.name, row]));
    return views.map((view) => {
      const collection = definitions.get(view.collection);
      return {
        id: view.id,
        collection: view.collection,
        description: collection?.description ?? '',
        fields: (collection?.fields ?? [])
          .filter((field) => field.name in view.fields)
          .map((field) => ({
            name: field.name,
            description: field.description ?? null,
            category: field.category,
            type: field.type,
            value: view.fields[field.name] ?? null,
          })),
        unreadable: view.unreadable,
        updatedAt: view.updatedAt.toISOString(),
      };
    });
  }

  /** Every purpose with its text and legal basis, the subject's standing choice and what they may change. */
  async function consents(subjectId: string) {
    const standing = new Map((await checks.standing(subjectId)).map((view) => [view.purpose, view]));
    return (await purposes.list()).map((purpose) => {
      const view = standing.get(purpose.key);
      return {
        purpose,
        allowed: view?.allowed ?? false,
        reason: view?.reason ?? 'no_consent',
        status: view?.choice?.status ?? null,
        objectedAt: view?.choice?.objectedAt ?? null,
        updatedAt: view?.choice?.updatedAt ?? null,
        choiceVersion: view?.version ?? null,
        actions: consentActionsFor(purpose, view),
      };
    });
  }

  /** The subject's whole consent history, oldest first. */
  async function consentHistory(context: AuditContext, subjectId: string): Promise<HistoryItem[]> {
    let text = '';
    for await (const chunk of await consent.history(context, subjectId, 'json')) text += chunk;
    return (JSON.parse(text) as { events: HistoryItem[] }).events;
  }

  /** Grants, withdraws or objects, for the current version of the purpose's text. */
  async function changeConsent(
    context: AuditContext,
    subjectId: string,
    input: { purpose: string; action: ConsentAction; gpc: boolean; proof: ProofInput },
  ) {
    const purpose = await purposes.require(input.purpose);
    const standing = (await checks.standing(subjectId)).find((view) => view.purpose === purpose.key);
    if (!consentActionsFor(purpose, standing).includes(input.action)) {
      throw new AppError('conflict', `You cannot ${input.action} for “${purpose.name}” now.`, {
        extensions: { purpose: purpose.key, action: input.action },
      });
    }
    const receipts = await consent.record(context, {
      subjectId,
      purposes: [{ key: purpose.key, version: purpose.version }],
      action: input.action,
      method: methodOf[input.action],
      source: 'privacy_center',
      proof: input.proof,
    });
    if (input.gpc) {
      await consent.applyGpc(context, subjectId, { proof: input.proof, except: new Set([purpose.key]) });
    }
    return receipts;
  }

  /** Opts the subject out of sale and sharing when their browser sends Global Privacy Control. */
  async function honourGpc(context: AuditContext, subjectId: string, proof: ProofInput) {
    return consent.applyGpc(context, subjectId, { proof });
  }

  async function myRequests(subjectId: string): Promise<SubjectRequestView[]> {
    const page = await requests.list({ subjectId }, undefined, 200);
    return page.items.map(subjectViewOf).sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  }

  /**
   * Files a request. Signed in to an account whose address was confirmed with an e-mailed code, the
   * subject has authenticated (GDPR Art. 12(6) needs no more for their own data), so the request is filed
   * verified (`authenticated_subject`); otherwise (accounts older than confirmation) the team verifies it.
   * A rectification carries what to correct, checked against the records' collections and stored sealed.
   */
  async function fileRequest(
    context: AuditContext,
    session: { subjectId: string; addressConfirmed: boolean },
    type: SelfServiceRequestType,
    corrections?: readonly { recordId: string; fields: Record<string, unknown> }[],
  ) {
    const { subjectId } = session;
    const checked = corrections?.length
      ? await records.checkChanges(subjectId, corrections, 'corrections')
      : undefined;
    const open = (await requests.list({ subjectId, type }, undefined, 200)).items.filter(
      (view) => !isClosed(view.state),
    );
    if (open.length > 0) {
      throw new AppError('conflict', 'You have a request of this kind open already; see its status below.', {
        extensions: { requestId: open[0]?.id },
      });
    }
    const [profile] = await records.readOwnRecordsDecrypted(context, subjectId, {
      collection: profileCollectionName,
    });
    const email = profile?.fields.email;
    const view = await requests.file(context, {
      type,
      regime: 'gdpr',
      channel: 'privacy_center',
      filedBy: 'subject',
      subjectId,
      contactEmail: typeof email === 'string' ? email : undefined,
      corrections: checked,
      authenticatedSubject: session.addressConfirmed,
    });
    return subjectViewOf(view);
  }

  /** Takes back one of the subject's own requests; anyone else's is not found. */
  async function withdrawRequest(context: AuditContext, subjectId: string, requestId: string) {
    const current = await requests.get(requestId);
    if (current.subjectId !== subjectId) throw new AppError('not_found', 'Request not found.');
    return subjectViewOf(await requests.withdraw(context, requestId));
  }

  /**
   * "Download my data": a portability request filed for the signed-in subject, fulfilled at once through
   * the requests module's export (a ZIP of JSON and CSV), and completed. Every step is on the request's
   * timeline and in the audit log, like a request the team works.
   */
  async function downloadPortability(context: AuditContext, subjectId: string) {
    const filed = await requests.file(context, {
      type: 'portability',
      regime: 'gdpr',
      channel: 'privacy_center',
      filedBy: 'subject',
      subjectId,
      authenticatedSubject: true,
    });
    await requests.transition(context, filed.id, { to: 'in_progress' });
    const [archive] = await requestExports.create(context, filed.id);
    if (!archive) throw new AppError('internal_error', 'The archive could not be prepared.');
    await requests.transition(context, filed.id, { to: 'completed' });
    const link = new URL(archive.downloadUrl);
    return {
      requestId: filed.id,
      downloadPath: `${link.pathname}${link.search}`,
      expiresAt: archive.expires_at.toISOString(),
      size: archive.size,
    };
  }

  return {
    myData,
    consents,
    consentHistory,
    changeConsent,
    honourGpc,
    myRequests,
    fileRequest,
    withdrawRequest,
    downloadPortability,
  };
}

export type SelfService = ReturnType<typeof selfService>;
