/** The privacy center API's answers (see /openapi.json, tag "privacy center"). */

export type Branding = {
  name: string;
  color: string;
  logoUrl: string | null;
  privacyPolicyUrl: string | null;
};

export type PublicPurpose = {
  key: string;
  name: string;
  description: string;
  text: string;
  version: number;
  legalBasis: string;
  consentRequired: boolean;
  dataUses: string[];
  dataCategories: string[];
  ccpa: { sale: boolean; sharing: boolean; sensitive: boolean };
};

export type PrivacyConfig = {
  branding: Branding;
  purposes: PublicPurpose[];
  requestTypes: string[];
  passwordMinLength: number;
};

/** What registration and "send a new code" answer, whatever the address. */
export type RegistrationAccepted = { message: string };

export type SubjectSession = {
  subjectId: string;
  csrfToken: string;
  /** The latest the session lasts, however active. */
  expiresAt: string;
  /** When the session ends unless another call comes first (moved by every signed-in call). */
  idleExpiresAt: string;
};

export type OwnRecord = {
  id: string;
  collection: string;
  description: string;
  fields: { name: string; description: string | null; category: string; type: string; value: unknown }[];
  unreadable: string[];
  updatedAt: string;
};

export type OwnConsent = {
  purpose: PublicPurpose;
  allowed: boolean;
  reason: string;
  status: 'granted' | 'withdrawn' | 'denied' | 'expired' | null;
  objectedAt: string | null;
  updatedAt: string | null;
  choiceVersion: number | null;
  actions: ('grant' | 'withdraw' | 'object')[];
};

export type OwnConsentEvent = {
  sequence: number;
  eventId: string;
  purpose: string;
  version: number;
  action: string;
  method: string | null;
  source: string | null;
  givenAt: string;
  recordedAt: string;
};

export type OwnRequest = {
  id: string;
  type: string;
  state: string;
  receivedAt: string;
  dueDate: string;
  daysLeft: number | null;
  overdue: boolean;
  extended: boolean;
  verified: boolean;
  rejectionReason: string | null;
  closedAt: string | null;
  canWithdraw: boolean;
};

export type PortabilityDownload = {
  requestId: string;
  downloadPath: string;
  expiresAt: string;
  size: number;
};
