import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatSecret, newSigningKey } from '../../src/modules/notifications/webhook-signature.js';
import { createCollections } from '../helpers/fulfilment.js';
import { type ListeningCustos, startListeningCustos } from '../helpers/sdk.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sdkSource = `${root}packages/sdk/src/`;
// Inside node_modules, so the examples' other imports (fastify) resolve as they would in an application.
const scratch = `${root}node_modules/.cache/custos-sdk-docs-${process.pid}/`;

/** The TypeScript examples of a document, with the package's imports pointed at its sources. */
function examplesOf(document: string): { heading: string; code: string }[] {
  const text = readFileSync(`${root}${document}`, 'utf8');
  const examples: { heading: string; code: string }[] = [];
  let heading = '';
  const pattern = /^(#+ .*)$|^```ts\n([\s\S]*?)^```$/gm;
  for (const match of text.matchAll(pattern)) {
    if (match[1]) heading = match[1];
    else if (match[2])
      examples.push({
        heading,
        code: match[2]
          .replaceAll("'@custos/sdk'", `'${sdkSource}index.ts'`)
          .replaceAll("'@custos/sdk/fastify'", `'${sdkSource}middleware/fastify.ts'`)
          .replaceAll("'@custos/sdk/express'", `'${sdkSource}middleware/express.ts'`)
          .replaceAll("'@custos/sdk/webhooks'", `'${sdkSource}webhooks.ts'`),
      });
  }
  return examples;
}

describe('the examples in docs/SDK.md', () => {
  let custosServer: ListeningCustos;
  const examples = examplesOf('docs/SDK.md');

  beforeAll(async () => {
    custosServer = await startListeningCustos();
    await custosServer.createPurpose({ key: 'newsletter' });
    await custosServer.createPurpose({ key: 'analytics', dataUses: ['analytics.reporting'] });
    await createCollections(custosServer, ['customers']);
    vi.stubEnv('CUSTOS_URL', custosServer.baseUrl);
    vi.stubEnv('CUSTOS_API_KEY', custosServer.apiKey);
    vi.stubEnv('CUSTOS_WEBHOOK_SECRET', formatSecret(newSigningKey()));
    mkdirSync(scratch, { recursive: true });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    rmSync(scratch, { recursive: true, force: true });
    await custosServer.close();
  });

  it('has examples for the vault, consent, requests and webhooks', () => {
    const headings = examples.map((example) => example.heading).join('\n');
    for (const topic of ['vault', 'Consent', 'Requests', 'Webhooks', 'Middleware'])
      expect(headings).toContain(topic);
  });

  it.each(examples.map((example, index) => [index + 1, example.heading, example] as const))(
    'runs example %i (%s)',
    async (index, _heading, example) => {
      const file = `${scratch}example-${index}.ts`;
      writeFileSync(file, example.code);
      const logged: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        logged.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
      });
      try {
        await import(pathToFileURL(file).href);
      } finally {
        log.mockRestore();
      }
      // What the examples' comments promise.
      const output = logged.join('\n');
      if (example.code.includes("'/recommendations'")) expect(output).toContain('451 consent_required');
      if (example.code.includes('/custos-webhooks')) expect(output).toContain('204');
      if (example.code.includes('ConsentRequiredError')) {
        expect(output).toContain('"purpose":"analytics","reason":"no_consent"');
        expect(output).toContain('granted');
      }
    },
  );
});
