import { AppError, isAppError } from '../../lib/app-error.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { RecordService } from '../vault/record-service.js';
import type { CheckResult, CheckService } from './check-service.js';
import type { ConsentReceipt } from './consent-receipt.js';
import type { ConsentService } from './consent-service.js';
import type { PurposeService } from './purpose-service.js';
import type { PurposeRow } from './purpose-store.js';
import { type SubjectRef, subjectIdOf } from './subject-ref.js';

type Deps = {
  purposes: PurposeService;
  consent: ConsentService;
  checks: CheckService;
  records: Pick<RecordService, 'createSubject' | 'searchSubjects'>;
};

/** The form id recorded with a banner's choices, and with the copies made when a visitor is linked. */
export const bannerFormId = 'custos-banner';
export const linkedFormId = 'custos-banner:linked';

/** A visitor's subject carries this external id: pseudonymous, never personal data of its own. */
const visitorExternalId = (visitorId: string) => `custos-visitor:${visitorId}`;

/**
 * A purpose the visitor can choose: one based on consent, or one that sells or shares (an opt-out under
 * CCPA/CPRA). Others (contract, legal obligation, legitimate interests without sale) are shown as active.
 */
export function isChoosable(purpose: PurposeRow): boolean {
  return purpose.legal_basis === 'consent' || purpose.ccpa_sale || purpose.ccpa_sharing;
}

export type BannerChoice = { purpose: string; granted: boolean; version?: number | undefined };
type Proof = { ip?: string | undefined; userAgent?: string | undefined };

/**
 * The website consent banner: the purposes it shows, the choices of anonymous visitors (recorded against
 * a pseudonymous subject per visitor id) and the link of a visitor to a known subject.
 */
export function bannerService({ purposes, consent, checks, records }: Deps) {
  async function websitePurposes(): Promise<PurposeRow[]> {
    return (await purposes.list()).filter((purpose) => purpose.website);
  }

  async function visitorSubject(context: AuditContext, visitorId: string, create: boolean) {
    const externalId = visitorExternalId(visitorId);
    const [found] = await records.searchSubjects(context, { externalId });
    if (found || !create) return found?.id;
    try {
      return (await records.createSubject(context, { externalId })).id;
    } catch (error) {
      // Two first choices of one visitor at once: the other created the subject.
      if (!isAppError(error) || error.code !== 'conflict') throw error;
      const [raced] = await records.searchSubjects(context, { externalId });
      if (!raced) throw error;
      return raced.id;
    }
  }

  /**
   * Records a visitor's choices: grants (explicit opt-in), refusals (a withdrawal of what was granted, a
   * denial otherwise) and, with `gpc`, the opt-out of every sale or sharing purpose not granted here.
   * Returns the verdict for every website purpose.
   */
  async function recordChoices(
    context: AuditContext,
    input: { visitorId: string; choices: BannerChoice[]; gpc: boolean },
    proof: Proof,
  ): Promise<CheckResult[]> {
    const shown = new Map((await websitePurposes()).map((purpose) => [purpose.key, purpose]));
    const unknown = input.choices.filter((choice) => {
      const purpose = shown.get(choice.purpose);
      return !purpose || !isChoosable(purpose);
    });
    if (unknown.length > 0) {
      throw new AppError('validation_failed', 'Some purposes are not offered by the banner.', {
        errors: unknown.map((choice) => ({
          in: 'body' as const,
          path: 'choices',
          message: `not a website purpose a visitor chooses: ${choice.purpose}`,
        })),
      });
    }
    const subjectId = (await visitorSubject(context, input.visitorId, true)) as string;
    const standing = new Map(
      (await checks.check(subjectId, [...shown.keys()])).map((result) => [result.purpose, result]),
    );
    const full = { ...proof, formId: bannerFormId };
    const grants = input.choices.filter((choice) => choice.granted);
    const refusals = input.choices.filter((choice) => !choice.granted);
    const withdrawals = refusals.filter((choice) => standing.get(choice.purpose)?.allowed);
    const denials = refusals.filter((choice) => !standing.get(choice.purpose)?.allowed);
    const keysOf = (choices: BannerChoice[]) =>
      choices.map((choice) => ({ key: choice.purpose, version: choice.version }));
    if (grants.length > 0) {
      await consent.record(context, {
        subjectId,
        purposes: keysOf(grants),
        action: 'grant',
        method: 'explicit_opt_in',
        source: 'api',
        proof: full,
      });
    }
    for (const [action, choices] of [
      ['withdraw', withdrawals],
      ['deny', denials],
    ] as const) {
      if (choices.length === 0) continue;
      await consent.record(context, {
        subjectId,
        purposes: choices.map((choice) => ({ key: choice.purpose })),
        action,
        method: 'opt_out',
        source: 'api',
        proof: full,
      });
    }
    if (input.gpc) {
      await consent.applyGpc(context, subjectId, {
        proof: full,
        except: new Set(grants.map((choice) => choice.purpose)),
      });
    }
    return checks.check(subjectId, [...shown.keys()]);
  }

  /**
   * Copies a visitor's standing banner choices to a known subject (the site signed the visitor in), as
   * events of that subject with the form `custos-banner:linked`. Custos keeps no other link between the
   * two: the visitor's subject stays pseudonymous.
   */
  async function link(
    context: AuditContext,
    input: { visitorId: string; subject: SubjectRef },
  ): Promise<{ subjectId: string; receipts: ConsentReceipt[] }> {
    const visitor = await visitorSubject(context, input.visitorId, false);
    if (!visitor) throw new AppError('not_found', 'No choices were recorded for this visitor.');
    const subjectId = await subjectIdOf(records, context, input.subject);
    const shown = (await websitePurposes()).filter(isChoosable);
    const choices = (await checks.standing(visitor)).filter(
      (view) => view.choice?.status && shown.some((purpose) => purpose.key === view.purpose),
    );
    const proof = { formId: linkedFormId };
    const receipts: ConsentReceipt[] = [];
    const groups = [
      [
        'grant',
        'explicit_opt_in',
        choices.filter((view) => view.choice?.status === 'granted' && view.allowed),
      ],
      ['deny', 'opt_out', choices.filter((view) => view.choice?.status === 'denied')],
      ['withdraw', 'opt_out', choices.filter((view) => view.choice?.status === 'withdrawn')],
    ] as const;
    for (const [action, method, views] of groups) {
      if (views.length === 0) continue;
      const written = await consent.record(context, {
        subjectId,
        purposes: views.map((view) => ({
          key: view.purpose,
          version: action === 'grant' ? (view.version ?? undefined) : undefined,
        })),
        action,
        method,
        source: 'api',
        proof,
      });
      receipts.push(...written);
    }
    return { subjectId, receipts };
  }

  return { websitePurposes, recordChoices, link };
}

export type BannerService = ReturnType<typeof bannerService>;
