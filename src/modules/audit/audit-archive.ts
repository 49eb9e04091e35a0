import type { KeyObject } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { parseRetentionPeriod } from '../retention/retention-period.js';
import { type AuditCut, cutSignatureValid, ZCut } from './audit-cut.js';
import { type AuditEntryRecord, type CheckpointHead, genesisHashHex } from './audit-entry.js';
import { ZEntryLine } from './audit-export.js';
import { type AuditClass, auditClasses, isPastRetention } from './audit-retention.js';
import { createAuditVerifier } from './audit-verify.js';

/**
 * Archive segments: what one cut removed from the database, as a file of JSON lines that verifies offline
 * with nothing but the audit public key. A segment holds a header, the cut before it (`start`, null for
 * the first: every chain then starts at 64 zeros), every archived entry in number order with its
 * retention class, and ends with its own signed cut. Its chains verify from the start cut's heads to the
 * end cut's heads, so nothing can be added, removed or changed without the end cut disagreeing; segments
 * follow each other by their cuts' numbers and hashes, and the last one's cut is the database's first.
 */
export const archiveFormat = 'custos-audit-archive';
const filePattern = /^audit-segment-(\d{12})\.ndjson$/;

export function segmentFileName(cutSeq: number): string {
  return `audit-segment-${String(cutSeq).padStart(12, '0')}.ndjson`;
}

export type ArchivedEntry = AuditEntryRecord & { class: AuditClass };

/**
 * Writes a segment: to a temporary file, flushed to disk, then renamed into place, so a segment file is
 * complete or absent. `end` is called once every entry is written, with how many were, and returns the
 * signed cut that closes the segment.
 */
export async function writeSegment(
  dir: string,
  cutSeq: number,
  start: AuditCut | null,
  pages: AsyncIterable<ArchivedEntry[]>,
  end: (written: number) => AuditCut,
): Promise<{ file: string; cut: AuditCut }> {
  const file = join(dir, segmentFileName(cutSeq));
  const temporary = `${file}.partial`;
  const fd = openSync(temporary, 'w', 0o640);
  try {
    const line = (value: unknown) => writeSync(fd, `${JSON.stringify(value)}\n`);
    line({ kind: 'header', format: archiveFormat, version: 1, cutSeq });
    line({ kind: 'start', cut: start });
    let written = 0;
    for await (const page of pages) {
      writeSync(fd, page.map((entry) => `${JSON.stringify({ kind: 'entry', ...entry })}\n`).join(''));
      written += page.length;
    }
    const cut = end(written);
    line({ kind: 'cut', ...cut });
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, file);
    return { file, cut };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

const ZHeader = z.object({
  kind: z.literal('header'),
  format: z.literal(archiveFormat),
  version: z.literal(1),
  cutSeq: z.number().int().positive(),
});
const ZStart = z.object({ kind: z.literal('start'), cut: ZCut.nullable() });
const ZEnd = ZCut.extend({ kind: z.literal('cut') });
const ZArchivedEntry = ZEntryLine.extend({ class: z.enum(auditClasses) });

export type ArchiveReport =
  | {
      ok: true;
      segments: number;
      entries: number;
      firstCut: number | null;
      lastCut: number | null;
      lastCutHash: string | null;
    }
  | {
      ok: false;
      file: string;
      problem: string;
      seq?: number;
      message: string;
      segments: number;
      entries: number;
    };

type SegmentResult =
  | { ok: true; start: AuditCut | null; end: AuditCut; entries: number }
  | { ok: false; problem: string; seq?: number; message: string };

function parsed<T>(schema: z.ZodType<T>, text: string): T | undefined {
  try {
    const result = schema.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/** Per class, the newest archived entry: if it was past its period at the cut, all older ones were. */
type Newest = Map<string, { seq: number; at: string }>;

/** Verifies one segment file on its own (see the module comment). */
async function verifySegment(file: string, keys: ReadonlyMap<string, KeyObject>): Promise<SegmentResult> {
  const malformed = (line: number, what: string): SegmentResult => ({
    ok: false,
    problem: 'malformed',
    message: `Line ${line} is not ${what}.`,
  });
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  let header: z.infer<typeof ZHeader> | undefined;
  let start: AuditCut | null | undefined;
  let end: AuditCut | undefined;
  let entries = 0;
  let verifier: ReturnType<typeof createAuditVerifier> | undefined;
  const newest: Newest = new Map();
  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    if (end) return malformed(number, 'allowed after the closing cut');
    if (!header) {
      header = parsed(ZHeader, text);
      if (!header) return malformed(number, `the header of an ${archiveFormat} segment`);
      continue;
    }
    if (!verifier) {
      const line = parsed(ZStart, text);
      if (!line) return malformed(number, 'the start cut');
      start = line.cut as AuditCut | null;
      verifier = createAuditVerifier({ publicKeys: keys, ...(start ? { start } : {}) });
      continue;
    }
    const closing = parsed(ZEnd, text);
    if (closing) {
      const { kind: _kind, ...cut } = closing;
      end = cut as AuditCut;
      continue;
    }
    const entry = parsed(ZArchivedEntry, text);
    if (!entry) return malformed(number, 'an archived audit entry');
    const { class: entryClass, kind: _kind, ...record } = entry;
    const failure = verifier.add({ kind: 'entry', ...(record as AuditEntryRecord) });
    if (failure) return { ok: false, problem: failure.problem, seq: failure.seq, message: failure.message };
    entries += 1;
    const known = newest.get(entryClass);
    if (!known || known.at < record.at) newest.set(entryClass, { seq: record.seq, at: record.at });
  }
  if (!header || !verifier || start === undefined || !end) {
    return {
      ok: false,
      problem: 'malformed',
      message: 'The segment ends before its closing cut: it is incomplete.',
    };
  }
  return closeSegment({ cutSeq: header.cutSeq, start, end, entries, heads: verifier.heads(), newest }, keys);
}

/** The closing cut: signed, following the start cut, naming exactly where the chains ended and when. */
function closeSegment(
  read: {
    cutSeq: number;
    start: AuditCut | null;
    end: AuditCut;
    entries: number;
    heads: CheckpointHead[];
    newest: Newest;
  },
  keys: ReadonlyMap<string, KeyObject>,
): SegmentResult {
  const { start, end } = read;
  const mismatch = (message: string, seq?: number): SegmentResult => ({
    ok: false,
    problem: 'segment_mismatch',
    ...(seq === undefined ? {} : { seq }),
    message,
  });
  for (const cut of start ? [start, end] : [end]) {
    if (!cutSignatureValid(cut, keys)) {
      return {
        ok: false,
        problem: 'cut_signature_invalid',
        message: `Cut ${cut.cutSeq} has an invalid signature, or one made with a key that is not trusted.`,
      };
    }
  }
  if (
    end.cutSeq !== read.cutSeq ||
    end.cutSeq !== (start?.cutSeq ?? 0) + 1 ||
    end.prevHash !== (start?.hash ?? genesisHashHex)
  ) {
    return {
      ok: false,
      problem: 'cut_chain_broken',
      message: `The segment's closing cut ${end.cutSeq} does not follow its start cut.`,
    };
  }
  if (end.entries !== read.entries) {
    return mismatch(
      `Cut ${end.cutSeq} archived ${end.entries} entries, but the segment holds ${read.entries}: entries were removed or added.`,
    );
  }
  const reached = new Map(read.heads.map((head) => [head.chain, head]));
  for (const head of end.heads) {
    const at = reached.get(head.chain);
    if (
      !at ||
      at.chainSeq !== head.chainSeq ||
      at.hash !== head.hash ||
      (head.chainSeq > 0 && at.seq !== head.seq)
    ) {
      return mismatch(
        `Cut ${end.cutSeq} ends chain ${head.chain} at position ${head.chainSeq} (entry ${head.seq}), but the segment ends it at position ${at?.chainSeq ?? 0}: entries were removed, added or changed.`,
        head.seq,
      );
    }
  }
  const named = new Set(end.heads.map((head) => head.chain));
  const extra = read.heads.find((head) => !named.has(head.chain) && head.chainSeq > 0);
  if (extra)
    return mismatch(
      `Cut ${end.cutSeq} names no chain ${extra.chain}, but the segment has entries of it.`,
      extra.seq,
    );
  return checkRetention(read.newest, end) ?? { ok: true, start, end, entries: read.entries };
}

/** Every archived entry was past its class's period, as the cut signs them, when the cut was made. */
function checkRetention(newest: Newest, end: AuditCut): SegmentResult | undefined {
  for (const [entryClass, entry] of newest) {
    const text = end.retention[entryClass];
    const period = text === undefined ? undefined : parseRetentionPeriod(text);
    if (!period || !isPastRetention(new Date(entry.at), period, new Date(end.at))) {
      return {
        ok: false,
        problem: 'segment_mismatch',
        seq: entry.seq,
        message: `Entry ${entry.seq} (${entryClass}, written at ${entry.at}) was archived by cut ${end.cutSeq} at ${end.at}, before its retention period (${text ?? 'none'}) ended.`,
      };
    }
  }
  return undefined;
}

/** The segment files a path names: a directory's segments in order, or one file. */
export function segmentFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => filePattern.test(name))
          .sort()
          .map((name) => join(path, name))
      : [path],
  );
}

/**
 * Verifies archive segments offline: each on its own, then that they follow each other (each one's start
 * cut is the previous one's closing cut). The first may start at any cut: its start cut is signed.
 */
export async function verifyArchive(
  paths: readonly string[],
  keys: ReadonlyMap<string, KeyObject>,
): Promise<ArchiveReport> {
  let entries = 0;
  let segments = 0;
  let previous: AuditCut | undefined;
  let first: number | null = null;
  for (const file of segmentFiles(paths)) {
    const result = await verifySegment(file, keys);
    const failed = (problem: string, message: string, seq?: number): ArchiveReport => ({
      ok: false,
      file: basename(file),
      problem,
      ...(seq === undefined ? {} : { seq }),
      message,
      segments,
      entries,
    });
    if (!result.ok) return failed(result.problem, result.message, result.seq);
    if (previous && result.start?.hash !== previous.hash) {
      return failed(
        'cut_chain_broken',
        `This segment starts at cut ${result.start?.cutSeq ?? 0}, but the segment before it ends at cut ${previous.cutSeq}: a segment is missing or was replaced.`,
      );
    }
    first ??= result.end.cutSeq;
    previous = result.end;
    segments += 1;
    entries += result.entries;
  }
  return {
    ok: true,
    segments,
    entries,
    firstCut: first,
    lastCut: previous?.cutSeq ?? null,
    lastCutHash: previous?.hash ?? null,
  };
}
