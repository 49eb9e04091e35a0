import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiSnapshotOf } from '../../packages/sdk/scripts/openapi-snapshot-format.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const sdkDir = fileURLToPath(new URL('../../packages/sdk/', import.meta.url));
const regenerate = 'run `npm run sdk:openapi` and commit packages/sdk/openapi.json and src/generated';

describe('the SDK’s OpenAPI snapshot', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is exactly what the server serves at /openapi.json', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const committed = readFileSync(join(sdkDir, 'openapi.json'), 'utf8');
    // Compared as text, so any change (a route, a field, a description) fails with a readable diff.
    expect(openApiSnapshotOf(response.json()), regenerate).toBe(committed);
  });

  it('is what the committed generated types were generated from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-sdk-types-'));
    try {
      const output = join(dir, 'openapi.ts');
      const bin = fileURLToPath(new URL('../../node_modules/openapi-typescript/bin/cli.js', import.meta.url));
      execFileSync(process.execPath, [bin, join(sdkDir, 'openapi.json'), '--output', output], {
        stdio: 'ignore',
      });
      const committed = readFileSync(join(sdkDir, 'src/generated/openapi.ts'), 'utf8');
      expect(readFileSync(output, 'utf8') === committed, regenerate).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
