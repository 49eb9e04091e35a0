import { describe, expect, it } from 'vitest';
import { auditClassOf, isPastRetention } from './audit-retention.js';

describe('audit retention classes', () => {
  it('puts reads, searches, detokenizations, downloads and exports in the access class', () => {
    for (const action of [
      'vault.record.read',
      'vault.subject.searched',
      'vault.token.detokenized',
      'request.export.downloaded',
      'consent.history.exported',
      'audit.log.exported',
      'consent.filter.run',
    ]) {
      expect(auditClassOf(action), action).toBe('access');
    }
  });

  it('puts authentication, operators, keys, alerts and the log itself in the security class', () => {
    for (const action of [
      'operator.login.failed',
      'session.revoked',
      'api_key.created',
      'keys.kek.rotated',
      'alert.acknowledged',
      'audit.log.verified',
      'audit.log.pruned',
      'subject.login.succeeded',
      'access.denied',
    ]) {
      expect(auditClassOf(action), action).toBe('security');
    }
  });

  it('keeps everything else, and anything new, as compliance records', () => {
    for (const action of ['request.received', 'consent.event.recorded', 'vault.subject.shredded', 'x.y.z']) {
      expect(auditClassOf(action), action).toBe('compliance');
    }
  });

  it('lets an entry go only after the last day its period reaches', () => {
    const at = new Date('2024-02-29T12:00:00.000Z');
    const year = { years: 1, months: 0, days: 0 };
    expect(isPastRetention(at, year, new Date('2025-02-28T23:59:59.000Z'))).toBe(false);
    expect(isPastRetention(at, year, new Date('2025-03-01T00:00:00.000Z'))).toBe(true);
  });
});
