import { randomUUID } from 'node:crypto';
import { faker } from '@faker-js/faker';
import { hashPassword } from '../../src/modules/access/passwords.js';
import type { Role } from '../../src/modules/access/permissions.js';
import type { TestApp } from './test-app.js';

/** A password zxcvbn rates strong, the same for every factory-made operator (hashing is the slow part). */
export const strongPassword = 'correct-horse-battery-staple-42!';
let passwordHash: Promise<string> | undefined;

export type OperatorFixture = {
  id: string;
  email: string;
  displayName: string;
  password: string;
  roles: Role[];
};

/** Inserts an active operator with the given roles and a known password. */
export async function createOperator(
  t: TestApp,
  options: { roles?: Role[]; email?: string } = {},
): Promise<OperatorFixture> {
  const { config, database } = t.runtime;
  passwordHash ??= hashPassword(strongPassword, {
    memoryKib: config.argon2MemoryKib,
    timeCost: config.argon2TimeCost,
    parallelism: config.argon2Parallelism,
  });
  const fixture: OperatorFixture = {
    id: randomUUID(),
    email: options.email ?? faker.internet.email().toLowerCase(),
    displayName: faker.person.fullName(),
    password: strongPassword,
    roles: options.roles ?? ['privacy_agent'],
  };
  await database.db
    .insertInto('operators')
    .values({
      id: fixture.id,
      email: fixture.email,
      display_name: fixture.displayName,
      roles: fixture.roles,
      status: 'active',
      password_hash: await passwordHash,
    })
    .execute();
  return fixture;
}
