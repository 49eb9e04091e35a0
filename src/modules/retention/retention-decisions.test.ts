import { describe, expect, it } from 'vitest';
import { creationBound, decide } from './retention-decisions.js';
import { parseRetentionPeriod, retentionEnd } from './retention-period.js';
import type { Rule } from './retention-rules.js';
import { operatorFits } from './retention-rules.js';

const rule = (name: string, grounded: boolean) => ({
  id: name,
  name,
  legal_basis: grounded ? ('legal_obligation' as const) : null,
});
const at = (iso: string) => new Date(iso);

describe('deciding between rules', () => {
  it('lets the longest keep-period with a legal ground win over every rule without one', () => {
    const decision = decide([
      { rule: rule('delete after a year', false), due: at('2027-01-01') },
      { rule: rule('tax law', true), due: at('2036-01-01') },
      { rule: rule('claims', true), due: at('2029-01-01') },
    ]);
    expect(decision?.rule.name).toBe('tax law');
  });

  it('keeps the record while a grounded rule’s trigger has not happened', () => {
    const decision = decide([
      { rule: rule('tax law', true), due: at('2036-01-01') },
      { rule: rule('after the relationship', true), due: null },
    ]);
    expect(decision).toEqual({ rule: rule('after the relationship', true), due: null });
  });

  it('without a legal ground, lets the rule due first decide, ignoring those not triggered', () => {
    const decision = decide([
      { rule: rule('anonymize after two years', false), due: at('2028-01-01') },
      { rule: rule('delete on withdrawal', false), due: null },
      { rule: rule('delete after a year', false), due: at('2027-01-01') },
    ]);
    expect(decision?.rule.name).toBe('delete after a year');
  });

  it('breaks ties by the rules’ names', () => {
    const due = at('2027-01-01');
    expect(
      decide([
        { rule: rule('b', false), due },
        { rule: rule('a', false), due },
      ])?.rule.name,
    ).toBe('a');
    expect(
      decide([
        { rule: rule('b', true), due },
        { rule: rule('a', true), due },
      ])?.rule.name,
    ).toBe('a');
  });

  it('decides nothing when no rule has fired', () => {
    expect(decide([{ rule: rule('on withdrawal', false), due: null }])).toBeUndefined();
  });
});

describe('the creation bound of a run’s window', () => {
  const counting = (duration: string, trigger: Rule['trigger'] = { type: 'record_created' }) =>
    ({ duration, trigger }) as Rule;

  it('lets through every record due by then, month ends and leap days included', () => {
    const by = at('2027-03-01T00:00:00Z');
    for (const duration of ['P1M', 'P2Y', 'P1Y1M', 'P13M', 'P30D', 'P10Y6M3D']) {
      const period = parseRetentionPeriod(duration);
      const bound = creationBound([counting(duration)], by) as Date;
      // Every creation time of the twelve years before `by`, one every 9 hours.
      for (let time = by.getTime() - 12 * 366 * 86_400_000; time <= by.getTime(); time += 9 * 3_600_000) {
        const created = new Date(time);
        if (period && retentionEnd(created, period) <= by) expect(created <= bound, duration).toBe(true);
      }
    }
  });

  it('takes the latest bound of the rules, and none when a rule counts from anything else', () => {
    const by = at('2027-03-01T00:00:00Z');
    expect(creationBound([counting('P2Y'), counting('P1M')], by)).toEqual(
      creationBound([counting('P1M')], by),
    );
    expect(creationBound([counting('P2Y'), counting('P1Y', { type: 'last_activity' })], by)).toBeUndefined();
  });
});

describe('operators and field types', () => {
  it('accepts operators that can read the type and refuses the others', () => {
    expect(operatorFits({ op: 'generalize_postcode', keep: 2 }, 'string')).toBe(true);
    expect(operatorFits({ op: 'generalize_number', bucket: 10 }, 'string')).toBe(false);
    expect(operatorFits({ op: 'email' }, 'date')).toBe(false);
    expect(operatorFits({ op: 'generalize_date', to: 'year' }, 'datetime')).toBe(true);
    expect(operatorFits({ op: 'redact' }, 'json')).toBe(true);
  });
});
