import type { ConsentStatus, LegalBasis, RejectionReason, RequestState, RequestType } from './api-types';

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** 14 Jun 2026 — for ISO dates (`2026-06-14`, read as a UTC day) and instants. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateFormat.format(date);
}

/** 14 Jun 2026, 09:30 — in the viewer's time zone. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTimeFormat.format(date);
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat('en-GB').format(value);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** "due in 3 days", "due today", "2 days overdue". */
export function describeDaysLeft(daysLeft: number | null): string {
  if (daysLeft === null) return 'closed';
  if (daysLeft === 0) return 'due today';
  if (daysLeft === 1) return 'due tomorrow';
  if (daysLeft > 0) return `due in ${daysLeft} days`;
  return daysLeft === -1 ? '1 day overdue' : `${-daysLeft} days overdue`;
}

/** Words for codes (`in_progress` → "In progress") where no better label is known. */
export function humanize(code: string): string {
  const text = code
    .replace(/([a-z0-9])([A-Z])/g, (_, before: string, after: string) => `${before} ${after.toLowerCase()}`)
    .replaceAll('_', ' ')
    .replaceAll('.', ' · ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Every right the API takes, in words: typed against the generated API types, so a new right must be named here. */
export const requestTypeLabels: Record<RequestType, string> = {
  access: 'Access',
  rectification: 'Rectification',
  erasure: 'Erasure',
  restriction: 'Restriction',
  portability: 'Portability',
  objection: 'Objection',
  know: 'Right to know',
  delete: 'Deletion',
  correct: 'Correction',
  opt_out: 'Opt-out of sale or sharing',
  opt_in: 'Opt-in to sale or sharing',
};

/** What each right means, for the people asking for it. */
export const requestTypeExplanations: Partial<Record<RequestType, string>> = {
  access: 'Get a copy of the personal data we hold about you and learn how we use it.',
  rectification: 'Have inaccurate data about you corrected, or incomplete data completed.',
  erasure: 'Have your personal data erased (“right to be forgotten”), unless the law requires us to keep it.',
  restriction: 'Have us keep your data but stop using it, for example while you dispute its accuracy.',
  objection: 'Object to processing based on our legitimate interests or for direct marketing.',
  portability: 'Receive the data you gave us in a machine-readable format.',
};

export const requestStateLabels: Record<RequestState, string> = {
  received: 'Received',
  verifying: 'Verifying identity',
  verified: 'Identity verified',
  in_progress: 'In progress',
  awaiting_systems: 'Awaiting systems',
  completed: 'Completed',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
};

export const legalBasisLabels: Record<LegalBasis, string> = {
  consent: 'Your consent',
  contract: 'Needed for our contract with you',
  legal_obligation: 'Required by law',
  vital_interests: 'To protect someone’s life',
  public_task: 'A task in the public interest',
  legitimate_interests: 'Our legitimate interests',
};

export const rejectionReasonLabels: Record<RejectionReason, string> = {
  identity_not_verified: 'Identity could not be verified',
  manifestly_unfounded: 'Manifestly unfounded',
  excessive: 'Excessive',
  duplicate: 'Duplicate of another request',
  no_data_held: 'No data held about the person',
  legal_obligation: 'A legal obligation requires keeping the data',
  legal_claims: 'Needed for legal claims',
  freedom_of_expression: 'Freedom of expression and information',
  public_interest: 'Public interest',
  not_applicable: 'The right does not apply',
};

/** The purposes an operator states to read personal data (CUSTOS_READ_PURPOSES), in words. */
export const readPurposeLabels: Record<string, string> = {
  support: 'Customer support',
  billing: 'Billing',
  dsr_fulfilment: 'Answering a data-subject request',
  fraud_prevention: 'Fraud prevention',
};

export const consentStatusLabels: Record<ConsentStatus, string> = {
  granted: 'Granted',
  withdrawn: 'Withdrawn',
  denied: 'Declined',
  expired: 'Expired',
};

/** A stored value as words: addresses and lists spelled out, never as raw JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  if (typeof value === 'object') {
    return Object.values(value as Record<string, unknown>)
      .filter((part) => part !== null && part !== undefined && part !== '')
      .map(valueText)
      .join(', ');
  }
  return String(value);
}

export function label(labels: Partial<Record<string, string>>, code: string | null | undefined): string {
  if (!code) return '—';
  return labels[code] ?? humanize(code);
}

/** Text in black or white on a background colour, whichever contrasts more (WCAG relative luminance). */
export function contrastingText(background: string): '#000000' | '#ffffff' {
  return contrastRatio(background, '#000000') > contrastRatio(background, '#ffffff') ? '#000000' : '#ffffff';
}

function channelsOf(hex: string): [number, number, number] {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) return [31, 78, 140];
  return match.slice(1).map((part) => Number.parseInt(part, 16)) as [number, number, number];
}

function hexOf(channels: readonly number[]): string {
  return `#${channels
    .map((value) =>
      Math.round(Math.max(0, Math.min(255, value)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

function luminanceOf(hex: string): number {
  const [r, g, b] = channelsOf(hex).map((value) => {
    const channel = value / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminanceOf(a), luminanceOf(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The brand colour darkened just enough to be read as text on white (WCAG AA, 4.5:1). */
export function readableOnWhite(hex: string): string {
  let channels = channelsOf(hex);
  for (let step = 0; step < 40 && contrastRatio(hexOf(channels), '#ffffff') < 4.5; step += 1) {
    channels = channels.map((value) => value * 0.92) as [number, number, number];
  }
  return hexOf(channels);
}

/** A lighter tint of a colour (mixed with white), for soft backgrounds. */
export function tintOf(hex: string, amount: number): string {
  return hexOf(channelsOf(hex).map((value) => value + (255 - value) * amount));
}

/** A darker shade of a colour, for hover states. */
export function shadeOf(hex: string, amount: number): string {
  return hexOf(channelsOf(hex).map((value) => value * (1 - amount)));
}

/** "1 record", "3 records". */
export function count(amount: number, one: string, many = `${one}s`): string {
  return `${formatNumber(amount)} ${amount === 1 ? one : many}`;
}
