/**
 * The API's types as the SDK generates them from the committed OpenAPI snapshot
 * (`packages/sdk/openapi.json`, checked against the server by test/api/sdk-openapi.test.ts). The console and
 * the privacy center alias these instead of keeping their own copies, so a changed answer or a new allowed
 * value fails `npm run typecheck` here. Type-only: nothing of the SDK ends up in the web bundle.
 */
import type { components, paths } from '../../../packages/sdk/src/generated/openapi';

/** The named schemas of the OpenAPI document (`components.schemas`), as the API answers them. */
export type Schemas = components['schemas'];

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The JSON body a route answers with `status` (200 unless told). */
export type ResponseOf<
  Path extends keyof paths,
  M extends Method = 'get',
  Status extends number = 200,
> = paths[Path][M] extends { responses: infer Responses }
  ? Status extends keyof Responses
    ? Responses[Status] extends { content: { 'application/json': infer Body } }
      ? Body
      : never
    : never
  : never;

/** The rights a data subject can exercise (GDPR and US state laws). */
export type RequestType = Schemas['DataSubjectRequest']['type'];
/** Where a data-subject request stands. */
export type RequestState = Schemas['DataSubjectRequest']['state'];
/** Why a data-subject request was rejected. */
export type RejectionReason = NonNullable<Schemas['DataSubjectRequest']['rejectionReason']>;
/** The lawful bases of GDPR art. 6(1). */
export type LegalBasis = Schemas['PublicPurpose']['legalBasis'];
/** Where a subject's consent to a purpose stands. */
export type ConsentStatus = NonNullable<Schemas['OwnConsent']['status']>;
