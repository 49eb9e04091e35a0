import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(31);

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `custos` as an auditor would on their own machine: no configuration, no database. */
function custos(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('CUSTOS_') && name !== 'DATABASE_URL'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('custos audit verify --file', () => {
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'custos-audit-cli-'));
  const exportFile = join(dir, 'audit.ndjson');
  const keyFile = join(dir, 'audit-key.pem');
  const otherKeyFile = join(dir, 'other-key.pem');

  beforeAll(async () => {
    t = await createTestApp({ env: { CUSTOS_AUDIT_CHECKPOINT_EVERY: '5' } });
    const audit = t.runtime.services.audit;
    for (let index = 0; index < 12; index += 1) {
      await audit.record(
        { actor: { type: 'operator', id: faker.string.uuid() }, requestId: faker.string.uuid(), ip: null },
        {
          action: 'vault.record.read',
          outcome: 'success',
          target: { type: 'subject', id: faker.string.uuid() },
        },
      );
    }
    let text = '';
    for await (const chunk of audit.exportStream({}, 'ndjson')) text += chunk;
    writeFileSync(exportFile, text);
    writeFileSync(keyFile, audit.publicKeyPem());
    const { publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(otherKeyFile, publicKey.export({ format: 'pem', type: 'spki' }));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says OK for an untouched export, with any number of trusted keys', async () => {
    const result = await custos([
      'audit',
      'verify',
      '--file',
      exportFile,
      '--public-key',
      otherKeyFile,
      '--public-key',
      keyFile,
    ]);
    expect(result.stdout, result.stderr).toMatch(/audit log OK: \d+ entries, \d+ checkpoints/);
    expect(result.code).toBe(0);
  });

  it('exits 1 and names the entry and the problem when the export was altered', async () => {
    const lines = readFileSync(exportFile, 'utf8').trim().split('\n');
    const index = lines.findIndex((line) => line.includes('"seq":3,'));
    lines[index] = (lines[index] as string).replace('"outcome":"success"', '"outcome":"denied"');
    const altered = join(dir, 'altered.ndjson');
    writeFileSync(altered, `${lines.join('\n')}\n`);
    const result = await custos(['audit', 'verify', '--file', altered, '--public-key', keyFile, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, problem: 'hash_mismatch', seq: 3 });
  });

  it('takes the public key as the JSON GET /v1/audit/public-key answers, as well as PEM', async () => {
    const jsonKeyFile = join(dir, 'public-key.json');
    const answer = await t.app.inject({
      method: 'GET',
      url: '/v1/audit/public-key',
      headers: await actAs(t, 'auditor'),
    });
    writeFileSync(jsonKeyFile, answer.body);
    const result = await custos(['audit', 'verify', '--file', exportFile, '--public-key', jsonKeyFile]);
    expect(result.stdout, result.stderr).toMatch(/audit log OK/);
    expect(result.code).toBe(0);
  });

  it('says exactly what a public key must be when given something else', async () => {
    const notAKey = join(dir, 'not-a-key.txt');
    writeFileSync(notAKey, faker.string.alphanumeric(44));
    const wrongJson = join(dir, 'wrong.json');
    writeFileSync(wrongJson, JSON.stringify({ keyId: faker.string.hexadecimal({ length: 16 }) }));
    for (const file of [notAKey, wrongJson]) {
      const result = await custos(['audit', 'verify', '--file', exportFile, '--public-key', file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/PEM/);
      expect(result.stderr).toContain('GET /v1/audit/public-key');
    }
  });

  it('exits 2 and says what is missing without a public key', async () => {
    const result = await custos(['audit', 'verify', '--file', exportFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--public-key');
  });
});
