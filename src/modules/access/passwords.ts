import { createRequire } from 'node:module';
import { hash, verify } from '@node-rs/argon2';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { AppError } from '../../lib/app-error.js';

export type Argon2Params = { memoryKib: number; timeCost: number; parallelism: number };

export const minPasswordLength = 12;
export const maxPasswordLength = 128;

type Dictionaries = Record<string, (string | number)[]>;
type StrengthChecker = { zxcvbn: ZxcvbnFactory; breached: ReadonlySet<string>; calendarWords: string[] };

let strengthChecker: StrengthChecker | undefined;
const load = createRequire(import.meta.url);

/**
 * The strength checker, loaded on first use: its dictionaries take some 50 MB, which processes that never
 * check a password (a bulk import, most CLI commands) should not carry. The dictionaries ship with
 * @zxcvbn-ts (offline, no network): its common-passwords list (from breach corpora) and its English
 * month and season names are also used by the pattern rules below.
 */
function checker(): StrengthChecker {
  if (!strengthChecker) {
    const { ZxcvbnFactory: Factory } = load('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const common = load('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    const english = load('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
    const words = (dictionary: Dictionaries, name: string) => (dictionary[name] ?? []).map(String);
    strengthChecker = {
      zxcvbn: new Factory({
        dictionary: { ...common.dictionary, ...english.dictionary },
        graphs: common.adjacencyGraphs,
        translations: english.translations,
      }),
      breached: new Set(words(common.dictionary, 'passwords-common')),
      calendarWords: [
        ...words(english.dictionary, 'months-en'),
        ...words(english.dictionary, 'seasons-en'),
      ].map((word) => word.toLowerCase()),
    };
  }
  return strengthChecker;
}

/** Who the password belongs to: their name, e-mail address, and the organization's brand. */
export type PasswordOwner = { name?: string | undefined; email?: string | undefined; brand?: string };

/** Words an attacker guesses first for this owner: the name, the address's parts, the brand. */
function guessableWords(owner: PasswordOwner): string[] {
  const wordsOf = (text: string | undefined) => {
    const parts = (text ?? '')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
    return parts.length > 1 ? [...parts, parts.join('')] : parts;
  };
  const [local = '', domain = ''] = (owner.email ?? '').toLowerCase().split('@');
  // The domain's labels without the top-level one: `mail.acme-corp.example` gives mail, acme, corp…
  const domainWords = wordsOf(domain.split('.').slice(0, -1).join('.'));
  return [
    ...(owner.email ? [owner.email.toLowerCase()] : []),
    ...wordsOf(owner.name),
    ...wordsOf(local),
    ...domainWords,
    ...wordsOf(owner.brand),
  ].filter((word) => word.length >= 3);
}

const leet: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};

/**
 * Why a password is a known pattern zxcvbn scores too kindly, or undefined: one common password, one of
 * the owner's own words, or a month or season, dressed up with digits and symbols (`Welcome2024!!`,
 * `Margaret1987!`, `Acme2024!!`); or a month or season next to a year anywhere (`…Summer2024…`).
 */
function knownPattern(password: string, owner: PasswordOwner): string | undefined {
  const { breached, calendarWords } = checker();
  const lower = password.toLowerCase();
  const calendar = calendarWords.join('|');
  const dated = new RegExp(
    `(?<![a-z])(${calendar})[^a-z0-9]*(\\d{4}|\\d{2})(?!\\d)|(?<!\\d)(\\d{4}|\\d{2})[^a-z0-9]*(${calendar})(?![a-z])`,
  );
  if (dated.test(lower)) return 'A month or season with a year is among the first things guessed.';
  const plain = lower.replaceAll(/(?<=[a-z])[013457@$](?=[a-z])/g, (char) => leet[char] ?? char);
  const runs = plain.match(/[a-z]+/g) ?? [];
  const [word] = runs;
  if (runs.length !== 1 || !word) return undefined;
  if (guessableWords(owner).includes(word))
    return 'Your name, your e-mail address or the organization’s name with numbers or symbols added is easy to guess.';
  if (breached.has(word) || calendarWords.includes(word))
    return 'A common password with numbers or symbols added is among the first things guessed.';
  return undefined;
}

function tooEasy(message: string, extensions: Record<string, unknown>): AppError {
  return new AppError('validation_failed', 'This password is too easy to guess.', {
    errors: [{ in: 'body', path: 'password', message }],
    extensions,
  });
}

/**
 * Refuses passwords that are too short, too long, or guessable: a zxcvbn score below 3 with the owner's
 * name, e-mail address (whole, local part, domain words) and the organization's brand counted as
 * guessable, or a known pattern (a common breached password, a month or season, or the owner's own words,
 * dressed up with digits and symbols). The error carries feedback, never the password.
 */
export function assertStrongPassword(password: string, owner: PasswordOwner = {}): void {
  if (password.length < minPasswordLength || password.length > maxPasswordLength) {
    throw new AppError(
      'validation_failed',
      `Passwords must have between ${minPasswordLength} and ${maxPasswordLength} characters.`,
      { errors: [{ in: 'body', path: 'password', message: 'length out of range' }] },
    );
  }
  const pattern = knownPattern(password, owner);
  if (pattern) {
    throw tooEasy(pattern, { passwordFeedback: { score: 0, warning: pattern, suggestions: [] } });
  }
  const result = checker().zxcvbn.check(password, guessableWords(owner));
  if (result.score >= 3) return;
  const feedback = [result.feedback.warning, ...result.feedback.suggestions].filter((text): text is string =>
    Boolean(text),
  );
  throw tooEasy(feedback.join(' ') || 'too easy to guess', {
    passwordFeedback: {
      score: result.score,
      warning: result.feedback.warning,
      suggestions: result.feedback.suggestions,
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
