export { type Custos, type CustosOptions, createCustos, unwrap } from './client.js';
export type { ConsentCheckResult, ConsentDecision, ConsentRecorded, Subject, SubjectRef } from './consent.js';
export type { ConsentCacheOptions } from './consent-cache.js';
export { ConsentRequiredError, CustosError, type Problem } from './errors.js';
export type { components, operations, paths } from './generated/openapi.js';
export type { PagedPath, PageItem, PageOptions } from './paging.js';
export { backoffMs, type RetryOptions, retryAfterMs } from './retry.js';
export type { ImportReport, ImportRow } from './vault.js';
export {
  verifyWebhook,
  type WebhookHeaders,
  type WebhookMessage,
  WebhookVerificationError,
} from './webhooks.js';
