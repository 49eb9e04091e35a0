import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../config.js';
import { ZDrpId } from './drp-messages.js';
import { verifyKeyFrom } from './drp-signature.js';

/**
 * Trusted authorized agents as the DRP service directory lists them (§3.05.1): a JSON array of entries
 * `{ id, name, verify_key, web_url, identity_assurance_url, technical_contact, business_contact }`, or an
 * object with that array under `agents`. Keys Custos does not know are ignored.
 */
export const ZVerifyKey = z
  .string()
  .trim()
  .refine((text) => verifyKeyFrom(text) !== undefined, 'must be a base64 Ed25519 public key (32 bytes)');

/** Directories leave optional entries out, null or empty: all three mean "not given". */
const blankAsNull = (value: unknown) => (value === '' || value === undefined ? null : value);
const ZUrl = z.preprocess(
  blankAsNull,
  z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullable(),
);
const ZContact = z.preprocess(blankAsNull, z.string().trim().min(1).max(254).nullable());

const ZDirectoryAgent = z.object({
  id: ZDrpId,
  name: z.string().trim().min(1).max(200),
  verify_key: ZVerifyKey,
  web_url: ZUrl,
  identity_assurance_url: ZUrl,
  technical_contact: ZContact,
  business_contact: ZContact,
});

/** An agent's directory entry, in Custos's terms. */
export type AgentEntry = {
  id: string;
  name: string;
  verifyKey: string;
  webUrl: string | null;
  identityAssuranceUrl: string | null;
  technicalContact: string | null;
  businessContact: string | null;
};

function entryOf(agent: z.infer<typeof ZDirectoryAgent>): AgentEntry {
  return {
    id: agent.id,
    name: agent.name,
    verifyKey: agent.verify_key,
    webUrl: agent.web_url,
    identityAssuranceUrl: agent.identity_assurance_url,
    technicalContact: agent.technical_contact,
    businessContact: agent.business_contact,
  };
}

/**
 * Reads the agents of a service-directory file (CUSTOS_DRP_AGENTS_FILE). Problems name the file and the
 * entry, never a key or a contact, so a start with a bad file says what to fix.
 */
export function readAgentDirectory(path: string): AgentEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigError([`CUSTOS_DRP_AGENTS_FILE: ${path} cannot be read as JSON`]);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { agents?: unknown } | null)?.agents;
  const result = z.array(ZDirectoryAgent).safeParse(list);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map(
        (issue) => `CUSTOS_DRP_AGENTS_FILE: ${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      ),
    );
  }
  const ids = result.data.map((agent) => agent.id);
  const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (repeated.length > 0) {
    throw new ConfigError([
      `CUSTOS_DRP_AGENTS_FILE: ${path}: agent ids listed twice: ${repeated.join(', ')}`,
    ]);
  }
  return result.data.map(entryOf);
}
