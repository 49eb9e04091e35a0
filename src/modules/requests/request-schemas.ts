import { z } from 'zod';
import type { ExportSummary } from './request-store.js';
import {
  channels,
  exportFormats,
  filers,
  manualVerificationMethods,
  regimes,
  rejectionReasons,
  requestStates,
  requestTypes,
  timelineKinds,
  verificationMethods,
} from './request-types.js';

export const ZRequestType = z.enum(requestTypes);
export const ZRegime = z.enum(regimes);
export const ZRequestState = z.enum(requestStates);
export const ZChannel = z.enum(channels);
export const ZFiler = z.enum(filers);
export const ZRejectionReason = z.enum(rejectionReasons);

const ZNote = z.string().trim().min(1).max(2000);

export const ZRequestId = z.object({ id: z.uuid().toLowerCase() });

export const ZFileRequest = z.object({
  type: ZRequestType,
  regime: ZRegime.optional().describe(
    'Defaults to the regime that grants the right (`access` → gdpr, `know` → ccpa)',
  ),
  channel: ZChannel.optional().describe('Defaults to `operator` for operators and `api` for API keys'),
  filedBy: ZFiler.optional().describe('Defaults to `operator` for operators and `subject` for API keys'),
  subjectId: z.uuid().toLowerCase().optional().describe('The vault subject the request is about, when known'),
  contactEmail: z
    .email()
    .max(254)
    .optional()
    .describe('Where verification codes and notices go; stored sealed, shown masked'),
  receivedAt: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('When the request reached you (e.g. an e-mail taken in later); the deadline runs from it'),
  authenticatedSubject: z
    .boolean()
    .default(false)
    .describe(
      'The caller vouches that the subject signed in with it: the request starts verified. Needs requests.verify.',
    ),
});

export const ZRequest = z
  .object({
    id: z.uuid().toLowerCase(),
    type: ZRequestType,
    regime: ZRegime,
    state: ZRequestState,
    channel: ZChannel,
    filedBy: ZFiler,
    filer: z.object({ type: z.string(), id: z.string().nullable() }).describe('Who filed it (pseudonymous)'),
    subjectId: z.uuid().toLowerCase().nullable(),
    contactEmail: z.string().nullable().describe('Masked: enough to recognise, not to contact'),
    assigneeId: z.uuid().toLowerCase().nullable(),
    receivedAt: z.iso.datetime(),
    dueDate: z.iso.date().describe('The last day to answer (UTC)'),
    dueAt: z.iso.datetime().describe('The last instant of the due day'),
    daysLeft: z
      .number()
      .int()
      .nullable()
      .describe('Calendar days to the due day; negative once overdue; null when closed'),
    overdue: z.boolean(),
    extension: z.object({ extendedAt: z.iso.datetime(), initialDueDate: z.iso.date() }).nullable(),
    verification: z.object({ method: z.enum(verificationMethods), verifiedAt: z.iso.datetime() }).nullable(),
    rejectionReason: ZRejectionReason.nullable(),
    closedAt: z.iso.datetime().nullable(),
    allowedTransitions: z.array(ZRequestState).describe('States this request may move to next'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'DataSubjectRequest' });

export const ZTimelineEntry = z
  .object({
    seq: z.number().int(),
    at: z.iso.datetime(),
    kind: z.enum(timelineKinds),
    from: ZRequestState.nullable(),
    to: ZRequestState.nullable(),
    actor: z.object({ type: z.string(), id: z.string().nullable() }),
    details: z.record(z.string(), z.unknown()),
    note: z.string().nullable().describe('What an operator wrote (a note, the reason for an extension)'),
  })
  .meta({ id: 'RequestTimelineEntry' });

export const ZRequestDetail = ZRequest.extend({ timeline: z.array(ZTimelineEntry) });

export const ZRequestPage = z.object({ items: z.array(ZRequest), nextCursor: z.string().nullable() });

export const ZRequestQuery = z.object({
  type: ZRequestType.optional(),
  state: ZRequestState.optional(),
  regime: ZRegime.optional(),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true')
    .describe('Only open requests past their deadline'),
  dueWithinDays: z.coerce
    .number()
    .int()
    .min(0)
    .max(366)
    .optional()
    .describe('Only open requests due from now to the end of the N-th day from today (not yet overdue)'),
  assignee: z
    .union([z.uuid().toLowerCase(), z.enum(['me', 'none'])])
    .optional()
    .describe('An operator id, `me`, or `none` for unassigned requests'),
  subjectId: z.uuid().toLowerCase().optional(),
  cursor: z.string().min(1).max(200).optional().describe('`nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ZTransition = z.discriminatedUnion('to', [
  z.object({ to: z.enum(['in_progress', 'awaiting_systems', 'completed']), note: ZNote.optional() }),
  z.object({ to: z.literal('rejected'), reason: ZRejectionReason, note: ZNote.optional() }),
  z.object({ to: z.literal('withdrawn'), note: ZNote.optional() }),
]);

export const ZWithdrawal = z.object({ note: ZNote.optional() }).optional();

export const ZAssignment = z.object({
  operatorId: z
    .uuid()
    .toLowerCase()
    .nullable()
    .describe('The operator to work the request, or null to unassign'),
});

export const ZExtension = z.object({
  reason: z
    .string()
    .trim()
    .min(10)
    .max(2000)
    .describe('Why more time is needed; sent to the subject with the new deadline'),
});

export const ZManualVerification = z.object({
  method: z.enum(manualVerificationMethods),
  note: ZNote.optional().describe('What was checked; stored sealed, never in the audit log'),
});

export const ZCodeConfirmation = z.object({
  code: z
    .string()
    .regex(/^\d{3}[ -]?\d{3}$/, 'must be the six digits from the e-mail')
    .describe('The six-digit code the requester received'),
});

export const ZCodeSent = z.object({ request: ZRequest, expiresAt: z.iso.datetime() });

export const ZExport = z
  .object({
    id: z.uuid().toLowerCase(),
    format: z
      .enum(exportFormats)
      .describe('`json` and `html`: the access package; `zip`: the portability archive'),
    size: z.number().int().describe('Bytes'),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    downloads: z.number().int(),
    lastDownloadedAt: z.iso.datetime().nullable(),
    erasedAt: z.iso
      .datetime()
      .nullable()
      .describe('When the subject’s erasure deleted the file; its link answers 410 from then on'),
  })
  .meta({ id: 'RequestExport' });

export const ZCreatedExport = ZExport.extend({
  downloadUrl: z.string().describe('The link to the file, shown this once and e-mailed to the subject'),
});

export const ZDownloadQuery = z.object({ token: z.string().min(32).max(64) });

export function presentExport(row: ExportSummary): z.infer<typeof ZExport> {
  return {
    id: row.id,
    format: row.format,
    size: row.size,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    downloads: row.downloads,
    lastDownloadedAt: row.last_downloaded_at?.toISOString() ?? null,
    erasedAt: row.erased_at?.toISOString() ?? null,
  };
}
