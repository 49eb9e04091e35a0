import { describe, expect, it } from 'vitest';
import { categoriesOverlap } from './inventory-systems.js';

describe('which downstream systems a fulfilment concerns', () => {
  it('matches equal categories, and a broader category either way', () => {
    expect(categoriesOverlap(['user.contact'], ['user.contact.email'])).toBe(true);
    expect(categoriesOverlap(['user.contact.email'], ['user.contact'])).toBe(true);
    expect(categoriesOverlap(['user.financial'], ['user.financial'])).toBe(true);
  });

  it('does not match siblings or a mere prefix of a name', () => {
    expect(categoriesOverlap(['user.contact.email'], ['user.contact.phone_number'])).toBe(false);
    expect(categoriesOverlap(['user.contact'], ['user.contacts'])).toBe(false);
    expect(categoriesOverlap(['user.financial'], [])).toBe(false);
  });
});
