/**
 * The privacy center API's answers (tag "privacy center"), aliased from the types the SDK generates from the
 * OpenAPI document (see ../shared/api-types.ts), so they cannot drift from the server.
 */
import type { ResponseOf, Schemas } from '../shared/api-types';

export type Branding = Schemas['Branding'];
export type PublicPurpose = Schemas['PublicPurpose'];
/** What the privacy center shows before sign-in: branding, purposes, the rights it takes requests for. */
export type PrivacyConfig = ResponseOf<'/v1/privacy/config'>;
/** What registration and "send a new code" answer, whatever the address. */
export type RegistrationAccepted = Schemas['RegistrationAccepted'];
/** A subject's session: `expiresAt` is the latest it lasts; `idleExpiresAt` moves with every signed-in call. */
export type SubjectSession = Schemas['SubjectSession'];
export type OwnRecord = Schemas['OwnRecord'];
export type OwnConsent = Schemas['OwnConsent'];
export type OwnConsentEvent = Schemas['OwnConsentEvent'];
export type OwnRequest = Schemas['OwnRequest'];
export type PortabilityDownload = ResponseOf<'/v1/privacy/me/export', 'post', 201>;
