import { describe, expect, it } from 'vitest';
import { csvRow, type HistoryItem, jsonClosing, jsonItem, jsonOpening } from './consent-export.js';

const item: HistoryItem = {
  sequence: 7,
  eventId: '0b5f1f8e-7c55-4f57-9a0b-3b1f0d1a9c11',
  purpose: 'newsletter',
  version: 2,
  textHash: `sha256:${'ab'.repeat(32)}`,
  action: 'grant',
  method: 'explicit_opt_in',
  source: 'privacy_center',
  givenAt: '2026-05-01T12:00:00.000Z',
  recordedAt: '2026-05-01T12:00:01.000Z',
  expiresAt: null,
  formId: '=HYPERLINK("x"),signup',
  ipHash: null,
  userAgentHash: null,
  recordedBy: { type: 'api_key', id: 'k1' },
  requestId: 'req-1',
};

describe('history export', () => {
  it('neutralizes cells a spreadsheet would run as formulas, and quotes commas', () => {
    const row = csvRow(item);
    expect(row).toContain(`"'=HYPERLINK(""x""),signup"`);
    expect(row.endsWith('\r\n')).toBe(true);
  });

  it('streams a JSON document that parses, with or without events', () => {
    const opening = jsonOpening('0b5f1f8e-7c55-4f57-9a0b-3b1f0d1a9c12', new Date('2026-05-02T00:00:00Z'));
    const empty = JSON.parse(opening + jsonClosing);
    expect(empty).toMatchObject({ format: 'custos-consent-history', events: [] });
    const two = JSON.parse(
      opening + jsonItem(item, true) + jsonItem({ ...item, sequence: 8 }, false) + jsonClosing,
    );
    expect(two.events.map((event: HistoryItem) => event.sequence)).toEqual([7, 8]);
  });
});
