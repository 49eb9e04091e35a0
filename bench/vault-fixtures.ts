import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { CollectionDefinition } from '../src/modules/vault/collection-schema.js';

/** Five fields, two of them blind-indexed: the shape the vault benchmarks store. */
export const benchPeople = (name: string, multiple: boolean): CollectionDefinition => ({
  name,
  description: 'benchmark people',
  multiple,
  fields: [
    {
      name: 'email',
      type: 'email',
      category: 'user.contact.email',
      classification: 'confidential',
      required: true,
      indexed: true,
      tokenizable: false,
    },
    {
      name: 'phone',
      type: 'phone',
      category: 'user.contact.phone_number',
      classification: 'confidential',
      required: false,
      indexed: true,
      tokenizable: false,
    },
    {
      name: 'full_name',
      type: 'string',
      category: 'user.name',
      classification: 'confidential',
      required: false,
      indexed: false,
      tokenizable: false,
    },
    {
      name: 'birth_date',
      type: 'date',
      category: 'user.demographic.date_of_birth',
      classification: 'restricted',
      required: false,
      indexed: false,
      tokenizable: false,
    },
    {
      name: 'plan',
      type: 'string',
      category: 'user.account',
      classification: 'public',
      required: false,
      indexed: false,
      tokenizable: false,
    },
  ],
});

const givenNames = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const familyNames = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Perlman',
  'Lee',
];

/** A synthetic person, cheap to make in bulk (faker would dominate a million-row benchmark). */
export function syntheticPerson(index: number): Record<string, string> {
  return {
    email: `person${index}@example.org`,
    phone: `+49151${String(10_000_000 + (index % 89_999_999)).slice(0, 8)}`,
    full_name: `${givenNames[index % 10]} ${familyNames[Math.floor(index / 10) % 10]}`,
    birth_date: `19${50 + (index % 50)}-0${1 + (index % 9)}-1${index % 10}`,
    plan: index % 3 === 0 ? 'pro' : 'free',
  };
}

/** Writes an NDJSON import file of `rows` people, streaming (bounded memory). */
export async function writeImportFile(
  path: string,
  rows: number,
  externalId: (index: number) => string,
): Promise<void> {
  const out = createWriteStream(path);
  for (let index = 0; index < rows; index += 1) {
    if (!out.write(`${JSON.stringify({ externalId: externalId(index), ...syntheticPerson(index) })}\n`))
      await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
