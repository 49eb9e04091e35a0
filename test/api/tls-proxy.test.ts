import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { openTestDatabase } from '../helpers/test-database.js';

faker.seed(7);

/** A self-signed certificate for 127.0.0.1, made with the openssl command-line tool. */
function selfSignedCertificate(dir: string) {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

function httpsGet(url: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { rejectUnauthorized: false }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
      })
      .on('error', reject);
  });
}

/** Tries a TLS handshake that offers nothing newer than TLS 1.1; resolves with how it ended. */
function handshakeWithTls11(port: number): Promise<{ connected: boolean; error?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level even as a client; lower it so the
      // refusal we observe is the server's.
      ciphers: 'DEFAULT@SECLEVEL=0',
      rejectUnauthorized: false,
    });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve({ connected: true });
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ connected: false, error: error.code ?? error.message }),
    );
  });
}

describe('serving HTTPS directly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-tls-'));
  let server: RunningServer;

  beforeAll(async () => {
    const { cert, key } = selfSignedCertificate(dir);
    const config = loadConfig({
      CUSTOS_DATA_DIR: dir,
      CUSTOS_PORT: '0',
      CUSTOS_LOG_LEVEL: 'silent',
      CUSTOS_JOBS: 'false',
      CUSTOS_TLS_CERT_FILE: cert,
      CUSTOS_TLS_KEY_FILE: key,
    });
    server = await startServer(config, createLogger('silent'), { database: await openTestDatabase() });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers over HTTPS and tells browsers to stay on HTTPS', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const response = await httpsGet(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=31536000; includeSubDomains$/);
  });

  it('refuses clients that cannot speak TLS 1.2 or newer', async () => {
    const port = Number(new URL(server.url).port);
    const result = await handshakeWithTls11(port);
    expect(result.connected).toBe(false);
    expect(result.error).toMatch(/PROTOCOL|VERSION/i);
  });
});

describe('behind a reverse proxy', () => {
  const clientIp = faker.internet.ipv4();
  const proxiedRequest = {
    method: 'GET' as const,
    url: '/test/client-ip',
    headers: { 'x-forwarded-for': clientIp, 'x-forwarded-proto': 'https' },
  };
  let trusting: TestApp;
  let untrusting: TestApp;

  function appWith(env: Record<string, string>) {
    return createTestApp({
      env,
      beforeReady: (app) => {
        app.get('/test/client-ip', { config: { access: 'public' } }, async (request) => ({
          ip: request.ip,
          protocol: request.protocol,
        }));
      },
    });
  }
  beforeAll(async () => {
    [trusting, untrusting] = await Promise.all([appWith({ CUSTOS_TRUST_PROXY: '127.0.0.1' }), appWith({})]);
  });
  afterAll(async () => {
    await Promise.all([trusting?.close(), untrusting?.close()]);
  });

  it('takes the client address and scheme from a proxy listed in CUSTOS_TRUST_PROXY', async () => {
    const response = await trusting.app.inject({ ...proxiedRequest, remoteAddress: '127.0.0.1' });
    expect(response.json()).toEqual({ ip: clientIp, protocol: 'https' });
    expect(response.headers['strict-transport-security']).toBeDefined();
  });

  it('ignores forwarding headers from an address that is not a listed proxy', async () => {
    const stranger = faker.internet.ipv4();
    const response = await trusting.app.inject({ ...proxiedRequest, remoteAddress: stranger });
    expect(response.json()).toEqual({ ip: stranger, protocol: 'http' });
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('trusts no forwarding headers at all without the setting', async () => {
    const response = await untrusting.app.inject({ ...proxiedRequest, remoteAddress: '127.0.0.1' });
    expect(response.json()).toEqual({ ip: '127.0.0.1', protocol: 'http' });
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });
});
