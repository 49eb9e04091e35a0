import type { SealedBox } from '../../lib/sealed-box.js';
import { maskChars, maskEmail } from '../vault/masking.js';
import type { IdentityClaims } from './drp-messages.js';

const claimsAad = (requestId: string) => `custos.drp.claims.v1:${requestId}`;

/** Identity claims at rest: AES-256-GCM, bound to their request so they cannot be moved to another. */
export function sealClaims(box: SealedBox, requestId: string, claims: IdentityClaims): Buffer {
  return box.seal(Buffer.from(JSON.stringify(claims), 'utf8'), claimsAad(requestId));
}

export function openClaims(box: SealedBox, requestId: string, sealed: Buffer): IdentityClaims {
  return JSON.parse(box.open(sealed, claimsAad(requestId)).toString('utf8')) as IdentityClaims;
}

/** One identity claim as operators see it: which claim, whether the agent verified it, its value masked. */
export type MaskedClaim = {
  claim: 'name' | 'email' | 'phone_number' | 'address' | 'power_of_attorney';
  verified: boolean | null;
  value: string;
};

/** Each word keeps its first letter: `Jane Doe` → `J••• D••`. */
function maskName(name: string): string {
  return name
    .split(/(\s+)/)
    .map((part) => (/^\s+$/.test(part) ? part : maskChars(part, 1, 'start')))
    .join('');
}

/**
 * The claims of a DRP request, masked: enough for an operator to recognise the consumer, not to contact
 * them. The country and the first characters of the postal code are all an address shows.
 */
export function maskedClaims(claims: IdentityClaims): MaskedClaim[] {
  const masked: MaskedClaim[] = [];
  if (claims.name) masked.push({ claim: 'name', verified: null, value: maskName(claims.name) });
  if (claims.email) {
    masked.push({ claim: 'email', verified: claims.email_verified ?? false, value: maskEmail(claims.email) });
  }
  if (claims.phone_number) {
    masked.push({
      claim: 'phone_number',
      verified: claims.phone_number_verified ?? false,
      value: maskChars(claims.phone_number, 2, 'end'),
    });
  }
  if (claims.address) {
    const { country, postal_code: postalCode } = claims.address;
    const shown = [postalCode ? maskChars(postalCode, 2, 'start') : null, country ?? null].filter(Boolean);
    masked.push({
      claim: 'address',
      verified: claims.address_verified ?? false,
      value: shown.length > 0 ? shown.join(', ') : '•••',
    });
  }
  if (claims.power_of_attorney) {
    masked.push({ claim: 'power_of_attorney', verified: null, value: '[provided]' });
  }
  return masked;
}
