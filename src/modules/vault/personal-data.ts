import type { Tx } from '../../db/database.js';

/**
 * One place outside the vault's own tables where Custos keeps personal data about a subject, with what
 * erasure does there. Every module that copies a subject's data somewhere registers the place once (in
 * `services.ts`, from what each module's wiring returns), and every erasure (crypto-shredding, erasure under retention, an expired registration)
 * runs every registered action in its transaction, so a new copy is erased by registering it, not by
 * remembering to change each erasure path.
 */
export type PersonalDataPlace = {
  /** A stable name; docs/SECURITY.md lists each one under "Where personal data lives". */
  name: string;
  /** What erasure does there, in a phrase. */
  onErasure: string;
  /** Runs inside the erasure's transaction; returns how many rows it changed or deleted. */
  erase(tx: Tx, subjectId: string): Promise<number>;
};

/** The registry of places personal data lives, consulted by every erasure. */
export function personalDataPlaces() {
  const places: PersonalDataPlace[] = [];
  return {
    /** Adds a place; a name is registered once. */
    register(...added: PersonalDataPlace[]): void {
      for (const place of added) {
        if (places.some((known) => known.name === place.name)) {
          throw new Error(`The personal data place ${place.name} is registered twice`);
        }
        places.push(place);
      }
    },
    /** The registered places, in the order they are erased. */
    list: (): readonly PersonalDataPlace[] => places,
    /** Erases the subject from every registered place, in the caller's transaction; counts per place. */
    async eraseWithin(tx: Tx, subjectId: string): Promise<Record<string, number>> {
      const counts: Record<string, number> = {};
      for (const place of places) counts[place.name] = await place.erase(tx, subjectId);
      return counts;
    },
  };
}

export type PersonalDataPlaces = ReturnType<typeof personalDataPlaces>;
/** What the vault's erasure paths need of the registry. */
export type PersonalDataEraser = Pick<PersonalDataPlaces, 'eraseWithin'>;
