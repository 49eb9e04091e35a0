import type { AuditContext } from '../audit/audit-types.js';
import { automatedDecisionsOf } from '../consent/purpose-service.js';
import type { ProcessingInfo } from './access-package.js';
import type { ProcessingSource } from './request-exports.js';

type PurposeRowLike = {
  key: string;
  name: string;
  description: string;
  legal_basis: string;
  data_uses: string[];
  data_categories: string[];
  automated_decisions: boolean;
  automated_decision_logic: string | null;
  automated_decision_significance: string | null;
  automated_decision_consequences: string | null;
};

type Deps = {
  /** The consent module's purposes (their legal bases, data uses and categories). */
  purposes: { list(): Promise<PurposeRowLike[]> };
  /** The consent module's history export, JSON text in chunks (audited there). */
  consent: {
    history(context: AuditContext, subjectId: string, format: 'json'): Promise<AsyncIterable<string>>;
  };
};

/** How a subject's data is processed, as the consent module records it: purposes and consent history. */
export function consentProcessing({ purposes, consent }: Deps): ProcessingSource {
  return {
    async of(context, subjectId): Promise<ProcessingInfo> {
      let text = '';
      for await (const chunk of await consent.history(context, subjectId, 'json')) text += chunk;
      const history = JSON.parse(text) as { events?: unknown[] };
      return {
        purposes: (await purposes.list()).map((purpose) => ({
          key: purpose.key,
          name: purpose.name,
          description: purpose.description,
          legalBasis: purpose.legal_basis,
          dataUses: purpose.data_uses,
          dataCategories: purpose.data_categories,
          automatedDecisionMaking: automatedDecisionsOf(purpose),
        })),
        consentHistory: history.events ?? [],
      };
    },
  };
}
