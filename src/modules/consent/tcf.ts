import { TCString, type Vector } from '@iabtechlabtcf/core';

/** What Custos keeps of an IAB TCF v2.2 TC string besides the string itself. */
export type DecodedTcString = {
  cmpId: number;
  cmpVersion: number;
  policyVersion: number;
  vendorListVersion: number;
  publisherCountryCode: string;
  serviceSpecific: boolean;
  /** TCF purposes (1–11) the user consented to. */
  purposeConsents: number[];
  /** TCF purposes the user did not object to under legitimate interest. */
  purposeLegitimateInterests: number[];
  specialFeatureOptins: number[];
  vendorConsents: number[];
  vendorLegitimateInterests: number[];
  createdAt: Date | null;
  updatedAt: Date | null;
};

export class TcStringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TcStringError';
  }
}

/** TC strings are a few hundred bytes to a few kilobytes; anything far longer is not one. */
export const maxTcStringLength = 16_384;
const tcStringAlphabet = /^[A-Za-z0-9_\-.]+$/;
/** TCF v2.2 strings carry policy version 4 or later; v2.0/v2.1 strings are no longer valid. */
const minimumPolicyVersion = 4;

function idsOf(vector: Vector): number[] {
  const ids: number[] = [];
  vector.forEach((present, id) => {
    if (present) ids.push(id);
  });
  return ids;
}

function validDate(date: Date | undefined): Date | null {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date : null;
}

/**
 * Decodes a TC string with the IAB's own library. Throws TcStringError (with a message safe to show)
 * when it is not a TCF v2.2 string.
 */
export function decodeTcString(tcString: string): DecodedTcString {
  if (tcString.length === 0 || tcString.length > maxTcStringLength || !tcStringAlphabet.test(tcString)) {
    throw new TcStringError('A TC string is base64url segments separated by dots.');
  }
  // The core segment opens with the version in 6 bits: 2 is "C". The library would read other
  // strings leniently into a mostly default model, so this is checked first.
  if (!tcString.startsWith('C')) {
    throw new TcStringError('This is not a TCF v2 string (its core segment does not start with version 2).');
  }
  let model: ReturnType<typeof TCString.decode>;
  try {
    model = TCString.decode(tcString);
  } catch (error) {
    throw new TcStringError(
      `The TC string cannot be decoded${error instanceof Error && error.name === 'DecodingError' ? `: ${error.message}` : ''}.`,
    );
  }
  if (model.version !== 2) {
    throw new TcStringError(`This is a TCF v${model.version} string; only TCF v2.2 is accepted.`);
  }
  const policyVersion = Number(model.policyVersion);
  if (!(policyVersion >= minimumPolicyVersion)) {
    throw new TcStringError(
      `The TC string has TCF policy version ${policyVersion}; TCF v2.2 needs ${minimumPolicyVersion} or later.`,
    );
  }
  // CMP ids 0 and 1 are never assigned; a vendor list version starts at 1.
  if (Number(model.cmpId) < 2 || Number(model.vendorListVersion) < 1) {
    throw new TcStringError('The TC string names no registered CMP or vendor list version.');
  }
  return {
    cmpId: Number(model.cmpId),
    cmpVersion: Number(model.cmpVersion),
    policyVersion,
    vendorListVersion: Number(model.vendorListVersion),
    publisherCountryCode: model.publisherCountryCode,
    serviceSpecific: model.isServiceSpecific,
    purposeConsents: idsOf(model.purposeConsents),
    purposeLegitimateInterests: idsOf(model.purposeLegitimateInterests),
    specialFeatureOptins: idsOf(model.specialFeatureOptins),
    vendorConsents: idsOf(model.vendorConsents),
    vendorLegitimateInterests: idsOf(model.vendorLegitimateInterests),
    createdAt: validDate(model.created),
    updatedAt: validDate(model.lastUpdated),
  };
}
