/**
 * Where subjects may be stored: a check the vault runs before it writes new subjects with their regions
 * (the transfers module's residency policies decide; it is wired in after the vault, so the check is
 * bound late). It throws an AppError (409 `residency_refused`) to refuse; the write then writes nothing.
 */
export type SubjectStorageGuard = (regions: readonly (string | null)[]) => Promise<void>;

export function subjectStorageGuard() {
  let guard: SubjectStorageGuard | undefined;
  return {
    check: (regions: readonly (string | null)[]): Promise<void> =>
      guard && regions.some((region) => region) ? guard(regions) : Promise.resolve(),
    bind(next: SubjectStorageGuard): void {
      guard = next;
    },
  };
}

export type SubjectStorage = ReturnType<typeof subjectStorageGuard>;
