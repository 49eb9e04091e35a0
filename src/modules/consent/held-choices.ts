import { z } from 'zod';

const ZHexHash = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * Consent choices a subject made on a form that are recorded only later — a privacy center registration's,
 * once the e-mail address is confirmed — with the proof taken when they were made: the time, the form and
 * the keyed hashes of the IP address and user agent (as `proofHashes` makes them; never the values).
 * Nothing else: no name, no address. Parsed again when read back, as it comes from storage.
 */
export const ZHeldChoices = z.object({
  /** When the subject made the choices: the proof's time. */
  givenAt: z.iso.datetime(),
  formId: z.string().max(200).nullable(),
  ipHash: ZHexHash.nullable(),
  userAgentHash: ZHexHash.nullable(),
  choices: z
    .array(
      z.object({
        purpose: z.string().max(64),
        version: z.number().int().min(1),
        granted: z.boolean(),
      }),
    )
    .max(200),
});
export type HeldChoices = z.infer<typeof ZHeldChoices>;
export type HeldChoice = HeldChoices['choices'][number];

/** What recording held choices did: events written, and grants left out because they no longer count. */
export type HeldOutcome = { events: number; lapsed: string[] };
