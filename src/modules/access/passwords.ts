import { createRequire } from 'node:module';
import { hash, verify } from '@node-rs/argon2';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { AppError } from '../../lib/app-error.js';

export type Argon2Params = { memoryKib: number; timeCost: number; parallelism: number };

export const minPasswordLength = 12;
export const maxPasswordLength = 128;

let strengthChecker: ZxcvbnFactory | undefined;
const load = createRequire(import.meta.url);

/**
 * The strength checker, loaded on first use: its dictionaries take some 50 MB, which processes that never
 * check a password (a bulk import, most CLI commands) should not carry.
 */
function checker(): ZxcvbnFactory {
  if (!strengthChecker) {
    const { ZxcvbnFactory: Factory } = load('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const common = load('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    const english = load('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
    strengthChecker = new Factory({
      dictionary: { ...common.dictionary, ...english.dictionary },
      graphs: common.adjacencyGraphs,
      translations: english.translations,
    });
  }
  return strengthChecker;
}

/**
 * Refuses passwords that are too short, too long, or guessable (zxcvbn score below 3, with the user's own
 * e-mail and name counted as guessable). The error carries zxcvbn's feedback, never the password.
 */
export function assertStrongPassword(password: string, userInputs: string[] = []): void {
  if (password.length < minPasswordLength || password.length > maxPasswordLength) {
    throw new AppError(
      'validation_failed',
      `Passwords must have between ${minPasswordLength} and ${maxPasswordLength} characters.`,
      { errors: [{ in: 'body', path: 'password', message: 'length out of range' }] },
    );
  }
  const inputs = userInputs
    .flatMap((input) => [input, ...input.toLowerCase().split(/[^a-z0-9]+/)])
    .filter(Boolean);
  const result = checker().check(password, inputs);
  if (result.score >= 3) return;
  const feedback = [result.feedback.warning, ...result.feedback.suggestions].filter((text): text is string =>
    Boolean(text),
  );
  throw new AppError('validation_failed', 'This password is too easy to guess.', {
    errors: [{ in: 'body', path: 'password', message: feedback.join(' ') || 'too easy to guess' }],
    extensions: {
      passwordFeedback: {
        score: result.score,
        warning: result.feedback.warning,
        suggestions: result.feedback.suggestions,
      },
    },
  });
}

export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return hash(password, {
    algorithm: 2, // Algorithm.Argon2id (a const enum, which isolated modules cannot read)
    memoryCost: params.memoryKib,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** True when a stored hash was made with weaker parameters (or another algorithm) than configured now. */
export function needsRehash(passwordHash: string, params: Argon2Params): boolean {
  const match = /^\$argon2id\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(passwordHash);
  if (!match) return true;
  const [, memory, time, lanes] = match.map(Number);
  return (
    (memory ?? 0) < params.memoryKib || (time ?? 0) < params.timeCost || (lanes ?? 0) !== params.parallelism
  );
}

/**
 * Verifying against this when the account does not exist makes an unknown e-mail take as long as a wrong
 * password, so response times do not reveal which accounts exist.
 */
export async function dummyHashFor(params: Argon2Params): Promise<string> {
  return hashPassword('custos-dummy-password-never-matches', params);
}
