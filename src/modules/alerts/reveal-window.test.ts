import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { revealWindow } from './reveal-window.js';

faker.seed(1313);

const minute = 60_000;
const subjects = (count: number) => Array.from({ length: count }, () => faker.string.uuid());

describe('the reveal window', () => {
  it('crosses once a principal reveals one subject more than the threshold within the window', () => {
    const window = revealWindow({ threshold: 3, windowMs: 10 * minute });
    const operator = `operator:${faker.string.uuid()}`;
    const [a, b, c, d] = subjects(4) as [string, string, string, string];
    expect(window.observe(operator, [a], 0)).toEqual({ crossed: false, distinctSubjects: 1 });
    expect(window.observe(operator, [b], minute).crossed).toBe(false);
    expect(window.observe(operator, [c], 2 * minute).crossed).toBe(false);
    expect(window.observe(operator, [d], 3 * minute)).toEqual({ crossed: true, distinctSubjects: 4 });
  });

  it('counts a subject read again as one, however often it is read', () => {
    const window = revealWindow({ threshold: 2, windowMs: 10 * minute });
    const apiKey = `api_key:${faker.string.uuid()}`;
    const [a, b] = subjects(2) as [string, string];
    for (let read = 0; read < 50; read += 1) {
      expect(window.observe(apiKey, [read % 2 === 0 ? a : b], read * 1000).crossed).toBe(false);
    }
  });

  it('forgets reads older than the window: it slides', () => {
    const window = revealWindow({ threshold: 2, windowMs: 10 * minute });
    const operator = `operator:${faker.string.uuid()}`;
    const [a, b, c] = subjects(3) as [string, string, string];
    window.observe(operator, [a], 0);
    window.observe(operator, [b], 5 * minute);
    // `a` left the window a moment ago: b and c are two, not three.
    expect(window.observe(operator, [c], 10 * minute)).toEqual({ crossed: false, distinctSubjects: 2 });
  });

  it('keeps principals apart', () => {
    const window = revealWindow({ threshold: 2, windowMs: 10 * minute });
    const [first, second] = [`operator:${faker.string.uuid()}`, `api_key:${faker.string.uuid()}`];
    const [a, b, c] = subjects(3) as [string, string, string];
    window.observe(first, [a, b], 0);
    expect(window.observe(second, [c], 0).crossed).toBe(false);
    expect(window.observe(first, [c], 0).crossed).toBe(true);
  });

  it('crosses once while the principal stays over the threshold, and again after it fell below', () => {
    const window = revealWindow({ threshold: 2, windowMs: 10 * minute });
    const operator = `operator:${faker.string.uuid()}`;
    const many = subjects(20);
    const crossings = many.filter(
      (subject, index) => window.observe(operator, [subject], index * 1000).crossed,
    );
    expect(crossings).toHaveLength(1);
    // Quiet for longer than the window, then over again.
    const later = 40 * minute;
    const again = subjects(3).map(
      (subject, index) => window.observe(operator, [subject], later + index).crossed,
    );
    expect(again).toEqual([false, false, true]);
  });

  it('keeps at most one subject more than the threshold per principal in memory', () => {
    const window = revealWindow({ threshold: 5, windowMs: 10 * minute });
    const operator = `operator:${faker.string.uuid()}`;
    const seen = window.observe(operator, subjects(1000), 0);
    expect(seen).toEqual({ crossed: true, distinctSubjects: 6 });
    expect(window.observe(operator, subjects(1), 1).crossed).toBe(false);
  });
});
