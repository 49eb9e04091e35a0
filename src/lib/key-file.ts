import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Reads a key file, creating it with `create()` on first use. Files are written with mode 0600 in a 0700
 * directory; an existing file readable by others is tightened, never silently accepted as is.
 */
export function loadOrCreateKeyFile(path: string, create: () => string | Buffer): Buffer {
  if (!existsSync(path)) writeKeyFileOnce(path, create());
  tightenKeyFile(path);
  return readFileSync(path);
}

/**
 * Creates a key file (mode 0600, directory 0700) unless it exists, atomically: the complete file appears
 * or nothing does, so several processes starting at once never read a half-written key. Returns false
 * when the file existed already (the caller then reads the one that won).
 */
export function writeKeyFileOnce(path: string, contents: string | Buffer): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temporary, contents, { mode: 0o600, flag: 'wx' });
  try {
    // link() fails when the target exists, unlike rename(), which would replace it.
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

/** Narrows a key file readable by others to 0600 (a read-only mount, such as a container secret, is left as is). */
export function tightenKeyFile(path: string): void {
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  } catch {
    // The platform owns the permissions of read-only mounts.
  }
}
