import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';

/** A Global Vendor List just large enough to encode test strings (the library needs one to encode). */
function testVendorList(vendorIds: number[]): GVL {
  const purposes = Object.fromEntries(
    Array.from({ length: 11 }, (_, index) => [
      String(index + 1),
      { id: index + 1, name: `Purpose ${index + 1}`, description: '', illustrations: [] },
    ]),
  );
  const vendors = Object.fromEntries(
    vendorIds.map((id) => [
      String(id),
      {
        id,
        name: `Vendor ${id}`,
        purposes: [1],
        legIntPurposes: [],
        flexiblePurposes: [],
        specialPurposes: [],
        features: [],
        specialFeatures: [],
        usesCookies: false,
        cookieRefresh: false,
        usesNonCookieAccess: false,
      },
    ]),
  );
  return new GVL({
    gvlSpecificationVersion: 3,
    vendorListVersion: 150,
    tcfPolicyVersion: 5,
    lastUpdated: '2026-01-01T00:00:00Z',
    purposes,
    specialPurposes: {},
    features: {},
    specialFeatures: {},
    vendors,
    stacks: {},
    dataCategories: {},
  } as unknown as ConstructorParameters<typeof GVL>[0]);
}

/** A TCF v2.2 TC string (policy version 5) with the given purpose and vendor consents. */
export function encodeTestTcString(options: {
  purposeConsents: number[];
  vendorConsents: number[];
  cmpId?: number;
}): string {
  const model = new TCModel(testVendorList(options.vendorConsents));
  model.cmpId = options.cmpId ?? 10;
  model.cmpVersion = 2;
  model.consentScreen = 1;
  model.publisherCountryCode = 'DE';
  model.consentLanguage = 'EN';
  model.isServiceSpecific = true;
  model.purposeConsents.set(options.purposeConsents);
  model.purposeLegitimateInterests.set([2, 7, 9, 10]);
  model.vendorConsents.set(options.vendorConsents);
  return TCString.encode(model);
}

/** A TCF v2.0 string (policy version 2): well-formed, but no longer valid under TCF v2.2. */
export const tcfV20String = 'COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA';
