import { faker } from '@faker-js/faker';
import { expect } from 'vitest';
import { actAs } from './auth.js';
import { createTestApp, type TestApp, type TestAppOptions } from './test-app.js';

/** Custos on a fresh database, listening on a free loopback port, as the SDK meets it in production. */
export type ListeningCustos = TestApp & {
  baseUrl: string;
  /** An API key holding every `service` permission. */
  apiKey: string;
  /** Creates a purpose (as a DPO) with a fresh key; returns the key. */
  createPurpose(overrides?: Record<string, unknown>): Promise<string>;
};

export async function startListeningCustos(options: TestAppOptions = {}): Promise<ListeningCustos> {
  const t = await createTestApp(options);
  const baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const service = await actAs(t, 'service');
  const dpo = await actAs(t, 'dpo');
  const apiKey = (service.authorization ?? '').replace(/^Bearer /, '');
  return {
    ...t,
    baseUrl,
    apiKey,
    async createPurpose(overrides = {}) {
      const key = `p_${faker.string.alphanumeric({ length: 10, casing: 'lower' })}`;
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/consent/purposes',
        headers: dpo,
        payload: {
          key,
          name: faker.company.catchPhrase(),
          description: 'What we do and why',
          legalBasis: 'consent',
          dataUses: ['marketing.communications.email'],
          dataCategories: ['user.contact.email'],
          text: 'We send you our newsletter about new features, at most once a week.',
          ...overrides,
        },
      });
      expect(response.statusCode, response.body).toBe(201);
      return key;
    },
  };
}
