/**
 * The permission matrix: every permission Custos checks and which role holds it. This file is the single
 * source of truth; `docs/PERMISSIONS.md` is generated from it (`npm run custos -- permissions --markdown`)
 * and a test fails when the document is stale.
 */
export const permissions = {
  'operators.read': 'List operators and their roles.',
  'operators.manage': 'Invite, change, disable operators; assign roles; reset MFA.',
  'api_keys.read': 'List API keys (never their secrets).',
  'api_keys.manage': 'Create and revoke API keys.',
  'audit.read': 'Query the audit log.',
  'audit.export': 'Export the audit log (CSV, NDJSON) and the checkpoint public key.',
  'audit.verify': 'Verify the audit hash chain and signed checkpoints.',
  'keys.read': 'See master key versions, data keys per version and rewrap progress (never key material).',
  'keys.rotate': 'Rotate the master key and retire old master key versions.',
  'vault.collections.read': 'See collection definitions (fields, categories, classifications).',
  'vault.collections.manage': 'Create and change collections.',
  'vault.subjects.read':
    'Look up subjects (by id, or by e-mail, phone or external id through blind indexes).',
  'vault.records.write': 'Create subjects; create, update and delete their records.',
  'vault.read': 'Read records for a stated purpose, masked per field.',
  'vault.reveal': 'See record values in clear when reading (needs vault.read too).',
  'vault.tokenize': 'Create tokens for tokenizable fields.',
  'vault.detokenize': 'Turn a token back into its value, for a stated purpose.',
  'vault.shred': 'Erase a subject by crypto-shredding.',
  'vault.import': 'Bulk-import records into a collection.',
  'consent.purposes.read': 'See purposes: legal bases, data uses and categories, texts and versions.',
  'consent.purposes.manage': 'Create and change purposes (a change of their terms makes a new version).',
  'consent.read': 'See subjects’ consent state, history with proof, receipts and TCF strings.',
  'consent.write': 'Record grants, withdrawals, denials and objections, GPC signals and TCF strings.',
  'consent.check': 'Check consent for a subject, and filter lists of subjects by purpose.',
  'notifications.read': 'See webhook endpoints (never their secrets) and the delivery log.',
  'notifications.manage':
    'Create, change and delete webhook endpoints; rotate their secrets; redeliver; send test events.',
  'requests.read': 'See data-subject requests, their deadlines and timelines (contact e-mails masked).',
  'requests.create':
    'File data-subject requests; send and confirm e-mail verification codes; withdraw a request for its subject.',
  'requests.manage':
    'Work data-subject requests: assign them, extend deadlines, start, complete and reject them.',
  'requests.verify':
    'Vouch for a requester’s identity: file requests for subjects the caller has authenticated, or record a manual identity check.',
  'outbox.read':
    'Read the mail outbox, recipients and content included (mail held when no SMTP server is configured).',
  'requests.fulfil':
    'Fulfil requests against the vault and consent: rectify records, erase subjects, restrict processing, record objections and opt-outs.',
  'restrictions.lift': 'Lift a subject’s restriction of processing (GDPR Art. 18(3)).',
  'inventory.read':
    'See the data map: systems and data assets (with the endpoints tasks are sent to), processors, processing activities, security measures, the organization profile; the RoPA and its exports, findings, the privacy-notice draft; export it as fideslang manifests.',
  'inventory.manage':
    'Register, change and delete systems (each with its webhook endpoint), processors, processing activities and security measures; save the organization profile; import fideslang manifests into the register.',
  'retention.read':
    'See retention policies, subjects’ legal holds, and what erasure kept of a subject until when.',
  'retention.manage': 'Create, change and delete retention policies.',
  'legal_holds.manage': 'Place and lift legal holds on subjects.',
  'drp.agents.read':
    'See the trusted authorized agents of the Data Rights Protocol and this business’s DRP entry.',
  'drp.agents.manage': 'Trust, change and remove authorized agents of the Data Rights Protocol.',
  'reports.read':
    'See the dashboard figures and the compliance dashboard with its trends (counts only); the accountability registers; list and download compliance reports.',
  'reports.manage':
    'Generate compliance reports; set the monthly report schedule and its recipients (reading and downloading reports needs reports.read).',
  'accountability.manage':
    'Keep the accountability registers: policies, training courses and completions, external audits and findings, access reviews (revoking only access you could grant); import them from CSV.',
  'alerts.read':
    'See security alerts: locked accounts, failed audit verification, failed deliveries and tasks, overdue requests, mass reveals.',
  'alerts.manage': 'Acknowledge and resolve security alerts, with a note.',
  'breaches.read':
    'See the breach register: incidents, their 72-hour clocks, timelines, assessments, notices, affected sets (pseudonymous ids) and sending progress.',
  'breaches.manage':
    'Record and work breaches: facts, tasks, risk assessment and the decision on it, authority notices and their submission, individual notices, blast radius from the audit trail.',
  'transfers.read':
    'See the adequacy reference data, residency policies, transfer mechanisms and impact assessments, the transfer register; ask for a transfer decision.',
  'transfers.manage':
    'Change residency policies, record mechanisms and transfer impact assessments, override adequacy decisions.',
  'assessments.read':
    'See DPIA screenings of processing activities, DPIAs with their risks, approval chains, sign-offs and versions; export them.',
  'assessments.manage':
    'Answer screenings, screen proposed activities, start, edit, submit and revise DPIAs (risk register, consultations).',
  'assessments.approve':
    'Sign off or reject the step of a DPIA’s approval chain whose role the operator holds; configure the chain.',
  'monitoring.read':
    'See monitoring: each operator’s and API key’s baseline, recent scores and their explanations, and the rule settings.',
  'monitoring.manage':
    'Change monitoring’s threshold, factor weights and automatic responses; rebuild the baselines.',
} as const;

export type Permission = keyof typeof permissions;

export const roles = {
  admin: 'Full control of Custos, including operators and keys.',
  dpo: 'Data protection officer: everything privacy-related, read-only on security settings.',
  privacy_agent: 'Works data-subject requests and consent day to day.',
  auditor: 'Read-only everywhere, including the audit log.',
  security: 'Operators, API keys, keys and alerts.',
  service: 'Applications calling the API with an API key; the widest scope an API key may have.',
} as const;

export type Role = keyof typeof roles;

const all = Object.keys(permissions) as Permission[];

const auditReading: Permission[] = ['audit.read', 'audit.export', 'audit.verify'];
const vaultReading: Permission[] = ['vault.collections.read', 'vault.subjects.read', 'vault.read'];
const vaultWorking: Permission[] = [
  ...vaultReading,
  'vault.records.write',
  'vault.reveal',
  'vault.tokenize',
  'vault.detokenize',
];
const consentReading: Permission[] = ['consent.purposes.read', 'consent.read'];
const consentWorking: Permission[] = [...consentReading, 'consent.write', 'consent.check'];
/** Fulfilling requests day to day; lifting restrictions, systems, policies and holds stay with the DPO. */
const fulfilmentWorking: Permission[] = ['requests.fulfil', 'inventory.read', 'retention.read'];
const requestWorking: Permission[] = [
  'requests.read',
  'requests.create',
  'requests.manage',
  'requests.verify',
  'outbox.read',
];

export const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: all,
  dpo: [
    'operators.read',
    'api_keys.read',
    ...auditReading,
    'keys.read',
    ...vaultWorking,
    'vault.collections.manage',
    ...consentWorking,
    'consent.purposes.manage',
    'notifications.read',
    'notifications.manage',
    'drp.agents.read',
    'drp.agents.manage',
    'vault.shred',
    'vault.import',
    ...requestWorking,
    'reports.read',
    'reports.manage',
    'accountability.manage',
    'alerts.read',
    ...fulfilmentWorking,
    'restrictions.lift',
    'inventory.manage',
    'retention.manage',
    'legal_holds.manage',
    'breaches.read',
    'breaches.manage',
    'transfers.read',
    'transfers.manage',
    'assessments.read',
    'assessments.manage',
    'assessments.approve',
  ],
  privacy_agent: [
    ...vaultWorking,
    ...requestWorking,
    ...consentWorking,
    'reports.read',
    'drp.agents.read',
    ...fulfilmentWorking,
    'assessments.read',
    'assessments.manage',
  ],
  auditor: [
    'operators.read',
    'api_keys.read',
    ...auditReading,
    'keys.read',
    ...vaultReading,
    ...consentReading,
    'notifications.read',
    'requests.read',
    'reports.read',
    'drp.agents.read',
    'inventory.read',
    'retention.read',
    'alerts.read',
    'breaches.read',
    'transfers.read',
    'assessments.read',
  ],
  security: [
    'operators.read',
    'operators.manage',
    'api_keys.read',
    'api_keys.manage',
    'audit.read',
    'audit.verify',
    'keys.read',
    'keys.rotate',
    'notifications.read',
    'vault.collections.read',
    'drp.agents.read',
    'alerts.read',
    'alerts.manage',
    'breaches.read',
    'breaches.manage',
    'monitoring.read',
    'monitoring.manage',
  ],
  service: [
    ...auditReading,
    ...vaultWorking,
    'vault.shred',
    'vault.import',
    ...consentWorking,
    'requests.read',
    'requests.create',
    'requests.verify',
    'transfers.read',
  ],
};

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(permissions, value);
}

export function isRole(value: string): value is Role {
  return Object.hasOwn(roles, value);
}

/** The union of the permissions of the given roles. */
export function permissionsOfRoles(assigned: readonly Role[]): Set<Permission> {
  return new Set(assigned.flatMap((role) => rolePermissions[role]));
}
