import { describe, expect, it } from 'vitest';
import { isInternalAddress, urlProblem } from './webhook-destination.js';
import { retryDelayAfter, retrySchedule } from './webhook-retry.js';
import { errorClassOf } from './webhook-sender.js';

const minute = 60_000;
const strict = { allowHttp: false, allowPrivateNetworks: false };
const lenient = { allowHttp: true, allowPrivateNetworks: true };

describe('the webhook retry schedule', () => {
  const defaults = { maxAttempts: 8, retryDelayMs: minute, retryMaxDelayMs: 6 * 60 * minute };

  it('doubles the wait after every failed attempt, starting from the retry delay', () => {
    expect(retrySchedule(defaults)).toEqual([1, 2, 4, 8, 16, 32, 64].map((n) => n * minute));
    expect(retryDelayAfter(1, defaults)).toBe(minute);
    expect(retryDelayAfter(3, defaults)).toBe(4 * minute);
  });

  it('dead-letters (no further wait) once the round has used its attempts', () => {
    expect(retryDelayAfter(7, defaults)).toBe(64 * minute);
    expect(retryDelayAfter(8, defaults)).toBeUndefined();
    expect(retryDelayAfter(9, defaults)).toBeUndefined();
    expect(retrySchedule({ ...defaults, maxAttempts: 1 })).toEqual([]);
  });

  it('never waits longer than the maximum delay', () => {
    const capped = { maxAttempts: 30, retryDelayMs: minute, retryMaxDelayMs: 30 * minute };
    expect(retrySchedule(capped).slice(0, 7)).toEqual([1, 2, 4, 8, 16, 30, 30].map((n) => n * minute));
    expect(Math.max(...retrySchedule(capped))).toBe(30 * minute);
  });
});

describe('where webhooks may go', () => {
  it('requires https unless http is allowed', () => {
    expect(urlProblem('https://hooks.example.com/custos', strict)).toBeUndefined();
    expect(urlProblem('http://hooks.example.com/custos', strict)).toBe('must use https');
    expect(urlProblem('http://hooks.example.com/custos', { ...strict, allowHttp: true })).toBeUndefined();
    expect(urlProblem('ftp://hooks.example.com/', lenient)).toBe('must use https or http');
    expect(urlProblem('not a url', lenient)).toBe('must be an absolute URL');
  });

  it('refuses credentials and fragments in the URL, whatever the policy', () => {
    expect(urlProblem('https://user:pass@hooks.example.com/', lenient)).toMatch(/credentials/);
    expect(urlProblem('https://hooks.example.com/#part', lenient)).toMatch(/fragment/);
  });

  it('refuses loopback, private and internal destinations unless private networks are allowed', () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://localhost:8443/',
      'https://api.localhost/',
      'https://10.1.2.3/',
      'https://172.20.0.1/',
      'https://192.168.1.10/',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[fd00::1]/',
      'https://[fe80::1]/',
      'https://2130706433/',
      'https://0x7f.1/',
      'https://metadata.google.internal/',
    ]) {
      expect(urlProblem(url, strict), url).toBeDefined();
      expect(urlProblem(url, lenient), url).toBeUndefined();
    }
    expect(urlProblem('https://93.184.215.14/', strict)).toBeUndefined();
    expect(urlProblem('https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/', strict)).toBeUndefined();
  });

  it('classifies resolved addresses, IPv4-mapped IPv6 included', () => {
    expect(isInternalAddress('127.0.0.1')).toBe(true);
    expect(isInternalAddress('100.64.0.1')).toBe(true);
    expect(isInternalAddress('::ffff:10.0.0.1')).toBe(true);
    expect(isInternalAddress('::ffff:7f00:1')).toBe(true);
    expect(isInternalAddress('::')).toBe(true);
    expect(isInternalAddress('224.0.0.1')).toBe(true);
    expect(isInternalAddress('8.8.8.8')).toBe(false);
    expect(isInternalAddress('::ffff:8.8.8.8')).toBe(false);
    expect(isInternalAddress('2001:4860:4860::8888')).toBe(false);
    expect(isInternalAddress('not an address')).toBe(true);
  });
});

describe('attempt error classes', () => {
  it('names network failures by class, never by message', () => {
    const failure = (code: string) => Object.assign(new Error('details that stay out of the log'), { code });
    expect(errorClassOf(failure('ECONNREFUSED'))).toBe('connection_refused');
    expect(errorClassOf(failure('ENOTFOUND'))).toBe('dns_failure');
    expect(errorClassOf(failure('ETIMEDOUT'))).toBe('timeout');
    expect(errorClassOf(failure('ECONNRESET'))).toBe('connection_reset');
    expect(errorClassOf(failure('DEPTH_ZERO_SELF_SIGNED_CERT'))).toBe('tls_error');
    expect(errorClassOf(failure('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe('tls_error');
    expect(errorClassOf(failure('EDESTINATIONREFUSED'))).toBe('destination_refused');
    expect(errorClassOf(new Error('no code'))).toBe('network_error');
  });
});
