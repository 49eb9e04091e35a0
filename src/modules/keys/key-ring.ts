import type { Executor } from '../../db/database.js';
import { aadOf, DecryptionError } from '../../lib/aead.js';
import type { Clock } from '../../lib/clock.js';
import type { KeyEncryptionProvider } from './kek-provider.js';
import type { IndexKeys } from './key-material.js';
import type { DataKeyRow, KekVersionRow, KeysStore } from './keys-store.js';

declare const dataKeyBrand: unique symbol;
/** A subject's data key in plaintext: 32 bytes that must stay in memory and never be mutated or logged. */
export type DataKey = Buffer & { readonly [dataKeyBrand]: 'DataKey' };

const indexKeyName = 'index';

/** Associated data of a wrapped data key: it opens only for its subject and under its master key version. */
export function dataKeyAad(subjectId: string, kekVersion: number): Buffer {
  return aadOf(['custos.data-key.v1', subjectId, kekVersion]);
}

/**
 * The master key versions as this database and this instance's provider agree on them: which version
 * is current, whether this instance holds that very key (and the blind-index key the database was
 * written with), and wrapping and unwrapping of data keys under a version.
 */
export function keyRing({
  store,
  kek,
  indexKeys,
  clock,
}: {
  store: KeysStore;
  kek: KeyEncryptionProvider;
  indexKeys: IndexKeys;
  clock: Clock;
}) {
  /** Fingerprints of the versions this process checked against its provider. */
  const checkedFingerprints = new Map<number, string>();
  let indexKeyChecked = false;

  async function providerFingerprint(version: number): Promise<string | undefined> {
    const known = checkedFingerprints.get(version);
    if (known) return known;
    const found = (await kek.versions()).find((held) => held.version === version)?.fingerprint;
    if (found) checkedFingerprints.set(version, found);
    return found;
  }

  async function assertSameKey(version: number, registered: string): Promise<void> {
    const held = await providerFingerprint(version);
    if (held === undefined) {
      throw new Error(
        `Master key version ${version} is current but not available from ${kek.source}; every instance must hold every master key version in use`,
      );
    }
    if (held !== registered) {
      throw new Error(
        `Master key version ${version} from ${kek.source} (fingerprint ${held}) is not the key this database registered (fingerprint ${registered}). Restore the key files that belong to this database; never replace them with new ones.`,
      );
    }
  }

  /** Registers the provider's newest version when the database has none yet (first use). */
  async function registerFirstVersion(tx: Executor): Promise<KekVersionRow> {
    const newest = (await kek.versions()).at(-1);
    if (!newest) throw new Error(`There is no master key in ${kek.source}`);
    await store.insertKekVersion(tx, { ...newest, created_at: clock.now() });
    const row = await store.currentKekVersion(tx);
    if (!row) throw new Error('The first master key version could not be registered');
    return row;
  }

  /** The current version's row, registering the first version on first use; checks nothing. */
  async function registeredVersion(tx: Executor): Promise<KekVersionRow> {
    return (await store.currentKekVersion(tx)) ?? (await registerFirstVersion(tx));
  }

  /** Whether this instance's blind-index key is the database's (recording it on first use). */
  async function checkIndexKey(tx: Executor): Promise<boolean> {
    if (indexKeyChecked) return true;
    const registered = await store.findFingerprint(tx, indexKeyName);
    if (registered === undefined) {
      // Recorded in the caller's transaction: it may roll back, so check again next time.
      await store.insertFingerprint(tx, indexKeyName, indexKeys.fingerprint);
      return true;
    }
    indexKeyChecked = registered === indexKeys.fingerprint;
    return indexKeyChecked;
  }

  /**
   * The version new data keys are wrapped under, agreed through the database; checks that this instance
   * holds that very key and the blind-index key the database was written with.
   */
  async function currentVersion(tx: Executor): Promise<number> {
    const row = await registeredVersion(tx);
    await assertSameKey(row.version, row.fingerprint);
    if (!(await checkIndexKey(tx))) {
      throw new Error(
        'The blind-index key of this instance is not the one this database was written with; restore index.key (or CUSTOS_INDEX_KEY) from this deployment. A new one would make every stored lookup unfindable.',
      );
    }
    return row.version;
  }

  /** Unwraps a stored data key; throws (a server fault, not the caller's) when it does not open. */
  async function unwrapDecrypting(row: DataKeyRow): Promise<DataKey> {
    try {
      return (await kek.unwrap(
        row.kek_version,
        row.wrapped_key,
        dataKeyAad(row.subject_id, row.kek_version),
      )) as DataKey;
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      throw new Error(
        `The data key of subject ${row.subject_id} does not unwrap under master key version ${row.kek_version}: the row was altered or copied from another subject, or that version's key is not the one it was wrapped with`,
        { cause: error },
      );
    }
  }

  return {
    currentVersion,
    registeredVersion,
    checkIndexKey,
    providerFingerprint,
    /** Remembers the fingerprint of a version this instance just registered. */
    remember: (version: number, fingerprint: string) => checkedFingerprints.set(version, fingerprint),
    indexFingerprint: indexKeys.fingerprint,
    registeredIndexFingerprint: (tx: Executor) => store.findFingerprint(tx, indexKeyName),
    wrap: (version: number, subjectId: string, dataKey: Buffer) =>
      kek.wrap(version, dataKey, dataKeyAad(subjectId, version)),
    unwrapDecrypting,
  };
}

export type KeyRing = ReturnType<typeof keyRing>;
