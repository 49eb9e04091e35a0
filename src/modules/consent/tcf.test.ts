import { describe, expect, it } from 'vitest';
import { encodeTestTcString, tcfV20String } from './__fixtures__/tc-string.js';
import { decodeTcString, TcStringError } from './tcf.js';

describe('decodeTcString', () => {
  it('decodes the purpose and vendor consents of a TCF v2.2 string', () => {
    const decoded = decodeTcString(
      encodeTestTcString({ purposeConsents: [1, 3, 4, 7], vendorConsents: [2, 755, 1000], cmpId: 31 }),
    );
    expect(decoded).toMatchObject({
      cmpId: 31,
      policyVersion: 5,
      vendorListVersion: 150,
      publisherCountryCode: 'DE',
      serviceSpecific: true,
      purposeConsents: [1, 3, 4, 7],
      purposeLegitimateInterests: [2, 7, 9, 10],
      vendorConsents: [2, 755, 1000],
    });
    expect(decoded.createdAt).toBeInstanceOf(Date);
  });

  it('refuses what is not a TC string, and TCF v2.0 strings, with a reason safe to show', () => {
    for (const bad of [
      '',
      'not a tc string!',
      'C',
      'definitely-not-a-tc-string',
      'CAAAAAAAAAAAAAAAAAAAAAA',
      'garbage'.repeat(3000),
    ]) {
      expect(() => decodeTcString(bad)).toThrow(TcStringError);
    }
    expect(() => decodeTcString(tcfV20String)).toThrow(/policy version 2/);
  });
});
