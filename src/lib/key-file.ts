import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads a key file, creating it with `create()` on first use. Files are written with mode 0600 in a 0700
 * directory; an existing file readable by others is tightened, never silently accepted as is.
 */
export function loadOrCreateKeyFile(path: string, create: () => string | Buffer): Buffer {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, create(), { mode: 0o600, flag: 'wx' });
  } else if ((statSync(path).mode & 0o077) !== 0) {
    chmodSync(path, 0o600);
  }
  return readFileSync(path);
}
