import { createHmac, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/** TOTP as RFC 6238 defines it; HMAC comes from node:crypto. */
export type TotpParams = { algorithm: 'SHA1' | 'SHA256' | 'SHA512'; digits: number; period: number };

export const defaultTotp: TotpParams = { algorithm: 'SHA1', digits: 6, period: 30 };

const hmac = (algorithm: string, key: Uint8Array, message: Uint8Array): Uint8Array =>
  createHmac(algorithm.toLowerCase().replace('-', ''), key).update(message).digest();

export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

/** The code for the time step containing `at`. */
export function totpCode(secret: Uint8Array, at: Date, params: TotpParams = defaultTotp): string {
  return TOTP.generate({
    secret: new Secret({ buffer: new Uint8Array(secret).buffer }),
    algorithm: params.algorithm,
    digits: params.digits,
    period: params.period,
    timestamp: at.getTime(),
    hmac,
  });
}

/**
 * Checks a code against the steps around `at` (±1 by default) and returns the time step it matched, or
 * null. Callers refuse a step at or below the last accepted one, so no code works twice.
 */
export function matchTotpStep(
  secret: Uint8Array,
  code: string,
  at: Date,
  params: TotpParams = defaultTotp,
  window = 1,
): number | null {
  if (!/^\d+$/.test(code) || code.length !== params.digits) return null;
  const delta = TOTP.validate({
    token: code,
    secret: new Secret({ buffer: new Uint8Array(secret).buffer }),
    algorithm: params.algorithm,
    digits: params.digits,
    period: params.period,
    timestamp: at.getTime(),
    window,
    hmac,
  });
  if (delta === null) return null;
  return Math.floor(at.getTime() / 1000 / params.period) + delta;
}

/** The otpauth:// URI authenticator apps read, and the same as a QR code PNG data URL. */
export async function enrolmentFor(
  secret: Uint8Array,
  account: string,
  issuer: string,
  params: TotpParams = defaultTotp,
): Promise<{ otpauthUri: string; qrCodeDataUrl: string; secretBase32: string }> {
  const totp = new TOTP({
    issuer,
    label: account,
    secret: new Secret({ buffer: new Uint8Array(secret).buffer }),
    algorithm: params.algorithm,
    digits: params.digits,
    period: params.period,
  });
  const otpauthUri = totp.toString();
  return {
    otpauthUri,
    qrCodeDataUrl: await QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: 'M', margin: 2, width: 240 }),
    secretBase32: totp.secret.base32,
  };
}
