/**
 * The legal rules consent rests on, as pure data and functions: the lawful bases of GDPR Art. 6(1), the
 * conditions of Art. 9(2) for special categories, which methods can carry a valid consent, and how a
 * subject's recorded choices and status turn into "may this purpose be pursued now, and why".
 */

/** GDPR Art. 6(1)(a)–(f). */
export const legalBases = [
  'consent',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interests',
] as const;
export type LegalBasis = (typeof legalBases)[number];

/** GDPR Art. 9(2)(a)–(j): what lifts the ban on processing special categories of personal data. */
export const specialCategoryConditions = [
  'explicit_consent',
  'employment_social_security',
  'vital_interests',
  'not_for_profit_body',
  'made_public_by_subject',
  'legal_claims',
  'substantial_public_interest',
  'health_or_social_care',
  'public_health',
  'archiving_research_statistics',
] as const;
export type SpecialCategoryCondition = (typeof specialCategoryConditions)[number];

/**
 * Fideslang data categories that are special categories under GDPR Art. 9(1): racial or ethnic origin,
 * political opinions, religious beliefs, genetic, biometric (for identification) and health data, sex
 * life or sexual orientation. A category beneath one of these is special too.
 */
export const specialCategoryRoots = [
  'user.demographic.race_ethnicity',
  'user.demographic.political_opinion',
  'user.demographic.religious_belief',
  'user.demographic.sexual_orientation',
  'user.health_and_medical',
  'user.biometric',
  'user.authorization.biometric',
] as const;

export function isSpecialCategory(category: string): boolean {
  return specialCategoryRoots.some((root) => category === root || category.startsWith(`${root}.`));
}

/** What a subject (or the system, for `expire`) did about a purpose. */
export const consentActions = ['grant', 'withdraw', 'deny', 'object', 'expire'] as const;
export type ConsentAction = (typeof consentActions)[number];
/** Actions a caller may record; `expire` is recorded only by the expiry job. */
export const recordableActions = ['grant', 'withdraw', 'deny', 'object'] as const;
export type RecordableAction = (typeof recordableActions)[number];

export const consentMethods = ['explicit_opt_in', 'opt_out', 'implied'] as const;
export type ConsentMethod = (typeof consentMethods)[number];

export const consentSources = ['privacy_center', 'api', 'import', 'gpc', 'tcf', 'drp', 'agent'] as const;
export type ConsentSource = (typeof consentSources)[number];

/** The standing choice per subject and purpose, as `consent_state.status` keeps it. */
export type ConsentStatus = 'granted' | 'withdrawn' | 'denied' | 'expired';

export const statusAfter: Record<Exclude<ConsentAction, 'object'>, ConsentStatus> = {
  grant: 'granted',
  withdraw: 'withdrawn',
  deny: 'denied',
  expire: 'expired',
};

export const checkReasons = [
  'granted',
  'legal_basis',
  'no_consent',
  'withdrawn',
  'expired',
  'version_outdated',
  'objected',
  'restricted',
  'erased',
] as const;
export type CheckReason = (typeof checkReasons)[number];

export type SubjectStatus = 'active' | 'restricted' | 'erased';

/** What evaluation needs to know of a purpose. */
export type PurposeRules = {
  legalBasis: LegalBasis;
  /** Consents given for versions below this no longer count (re-consent was required). */
  minVersion: number;
  ccpaSale: boolean;
  ccpaSharing: boolean;
  ccpaSensitive: boolean;
};

/** What evaluation needs to know of a subject's standing choice for one purpose. */
export type StateFacts = {
  status: ConsentStatus | null;
  version: number | null;
  expiresAt: Date | null;
  objectedAt: Date | null;
};

export type Verdict = { allowed: boolean; reason: CheckReason };

/** Art. 21(1): a subject may object to processing based on public task or legitimate interests. */
export function objectionApplies(basis: LegalBasis): boolean {
  return basis === 'public_task' || basis === 'legitimate_interests';
}

/** A purpose the subject may opt out of under the CCPA/CPRA (sale, sharing, use of sensitive data). */
export function isCcpaOptOut(purpose: Pick<PurposeRules, 'ccpaSale' | 'ccpaSharing' | 'ccpaSensitive'>) {
  return purpose.ccpaSale || purpose.ccpaSharing || purpose.ccpaSensitive;
}

/** Global Privacy Control opts out of sale and sharing (Cal. Code Regs. tit. 11, § 7025). */
export function isGpcTarget(purpose: Pick<PurposeRules, 'ccpaSale' | 'ccpaSharing'>) {
  return purpose.ccpaSale || purpose.ccpaSharing;
}

/**
 * What a Global Privacy Control signal records: every sale or sharing purpose that was not chosen
 * explicitly (`except`) and is not opted out already is withdrawn where it was granted (or its basis is
 * not consent), denied otherwise.
 */
export function gpcOptOuts(
  purposes: Iterable<Pick<PurposeRules, 'legalBasis' | 'ccpaSale' | 'ccpaSharing'> & { key: string }>,
  statusOf: (purposeKey: string) => ConsentStatus | null | undefined,
  except: ReadonlySet<string> = new Set(),
): { withdraw: string[]; deny: string[] } {
  const withdraw: string[] = [];
  const deny: string[] = [];
  for (const purpose of purposes) {
    if (!isGpcTarget(purpose) || except.has(purpose.key)) continue;
    const status = statusOf(purpose.key);
    if (status === 'withdrawn' || status === 'denied') continue;
    (status === 'granted' || purpose.legalBasis !== 'consent' ? withdraw : deny).push(purpose.key);
  }
  return { withdraw, deny };
}

/**
 * Why a method cannot carry this action for this purpose, or undefined when it can. A consent must be
 * a clear affirmative act (GDPR Art. 4(11), 7; CJEU C-673/17 Planet49): silence, inactivity, pre-ticked
 * boxes (`opt_out`) and conduct (`implied`) never make a grant on the consent basis.
 */
export function methodProblem(
  basis: LegalBasis,
  action: RecordableAction,
  method: ConsentMethod,
): string | undefined {
  if (basis === 'consent' && action === 'grant' && method !== 'explicit_opt_in') {
    return `A consent needs a clear affirmative act (GDPR Art. 4(11), 7): a grant for a purpose based on consent must be explicit_opt_in, not ${method}.`;
  }
  return undefined;
}

function refusal(status: ConsentStatus | null): CheckReason {
  if (status === 'withdrawn') return 'withdrawn';
  if (status === 'expired') return 'expired';
  return 'no_consent';
}

/**
 * May the purpose be pursued for this subject now? Erasure and restriction stop everything (Art. 17, 18:
 * a restricted subject's data is only stored). On the consent basis a current, unexpired grant for a
 * version that still counts is required. Other bases apply unless the subject objected (Art. 21, for
 * public task and legitimate interests) or opted out of a CCPA sale/sharing/sensitive purpose.
 */
export function evaluateConsent(
  purpose: PurposeRules,
  subjectStatus: SubjectStatus,
  state: StateFacts | undefined,
  now: Date,
): Verdict {
  if (subjectStatus === 'erased') return { allowed: false, reason: 'erased' };
  if (subjectStatus === 'restricted') return { allowed: false, reason: 'restricted' };
  const status = state?.status ?? null;
  if (purpose.legalBasis === 'consent') {
    if (status !== 'granted') return { allowed: false, reason: refusal(status) };
    if (state?.expiresAt && state.expiresAt.getTime() <= now.getTime()) {
      return { allowed: false, reason: 'expired' };
    }
    if ((state?.version ?? 0) < purpose.minVersion) return { allowed: false, reason: 'version_outdated' };
    return { allowed: true, reason: 'granted' };
  }
  if (state?.objectedAt && objectionApplies(purpose.legalBasis)) {
    return { allowed: false, reason: 'objected' };
  }
  if (isCcpaOptOut(purpose) && (status === 'withdrawn' || status === 'denied')) {
    return { allowed: false, reason: refusal(status) };
  }
  return { allowed: true, reason: 'legal_basis' };
}
