import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { createTestApp } from '../helpers/test-app.js';

describe('collections declared in a config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-collections-'));
  const file = join(dir, 'collections.json');
  const billing = {
    name: 'billing',
    fields: [
      {
        name: 'iban',
        type: 'string',
        category: 'user.financial.bank_account',
        classification: 'restricted',
        tokenizable: true,
      },
    ],
  };

  it('are created at start and marked as coming from configuration', async () => {
    writeFileSync(file, JSON.stringify({ collections: [billing] }));
    const t = await createTestApp({ env: { CUSTOS_COLLECTIONS_FILE: file } });
    try {
      const response = await t.app.inject({
        method: 'GET',
        url: '/v1/collections/billing',
        headers: await actAs(t, 'auditor'),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ name: 'billing', source: 'config', version: 1 });
    } finally {
      await t.close();
    }
  });

  it('stop the start with the file and path named when a definition is wrong', async () => {
    writeFileSync(
      file,
      JSON.stringify([{ ...billing, fields: [{ ...billing.fields[0], category: 'not.a.category' }] }]),
    );
    await expect(createTestApp({ env: { CUSTOS_COLLECTIONS_FILE: file } })).rejects.toThrow(
      /CUSTOS_COLLECTIONS_FILE: .*0\.fields\.0\.category/,
    );
  });
});
