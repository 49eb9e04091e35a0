import { useState } from 'react';
import { CheckboxField, TextAreaField, TextField } from '../shared/ui';
import { ActionDialog } from './action-dialog';
import type { Breach } from './breach-view';
import { useSignedIn } from './session';

type Editable = {
  description: string;
  consequences: string;
  measures: string;
  subjectsCount: string;
  subjectsApproximate: boolean;
  recordsCount: string;
  recordsApproximate: boolean;
};

function editableOf(facts: Record<string, unknown>): Editable {
  const text = (name: string) => (typeof facts[name] === 'string' ? (facts[name] as string) : '');
  const number = (name: string) => (typeof facts[name] === 'number' ? String(facts[name]) : '');
  return {
    description: text('description'),
    consequences: text('consequences'),
    measures: text('measures'),
    subjectsCount: number('subjectsCount'),
    subjectsApproximate: facts.subjectsApproximate === true,
    recordsCount: number('recordsCount'),
    recordsApproximate: facts.recordsApproximate === true,
  };
}

const countOf = (value: string) => (value.trim() === '' ? null : Number(value));

/** Edits the facts the notices are written from: what happened, the numbers, consequences and measures. */
export function EditFacts({ breach, onDone }: { breach: Breach; onDone: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [draft, setDraft] = useState<Editable>(() => editableOf(breach.facts));
  const text = (name: 'description' | 'consequences' | 'measures') => ({
    value: draft[name],
    maxLength: 5000,
    onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [name]: event.target.value }),
  });
  return (
    <ActionDialog
      trigger="Edit facts"
      title="The breach’s facts"
      submitLabel="Save"
      description="What the notices say. Do not enter personal data."
      onSubmit={async () => {
        await api.patch(`/v1/breaches/${breach.id}`, {
          facts: {
            description: draft.description.trim(),
            consequences: draft.consequences.trim(),
            measures: draft.measures.trim(),
            subjectsCount: countOf(draft.subjectsCount),
            subjectsApproximate: draft.subjectsApproximate,
            recordsCount: countOf(draft.recordsCount),
            recordsApproximate: draft.recordsApproximate,
          },
        });
        await onDone();
      }}
    >
      <TextAreaField label="What happened" {...text('description')} />
      <TextField
        label="Number of people affected"
        type="number"
        min={0}
        value={draft.subjectsCount}
        onChange={(event) => setDraft({ ...draft, subjectsCount: event.target.value })}
      />
      <CheckboxField
        label="The number of people is approximate"
        checked={draft.subjectsApproximate}
        onChange={(event) => setDraft({ ...draft, subjectsApproximate: event.target.checked })}
      />
      <TextField
        label="Number of records affected"
        type="number"
        min={0}
        value={draft.recordsCount}
        onChange={(event) => setDraft({ ...draft, recordsCount: event.target.value })}
      />
      <CheckboxField
        label="The number of records is approximate"
        checked={draft.recordsApproximate}
        onChange={(event) => setDraft({ ...draft, recordsApproximate: event.target.checked })}
      />
      <TextAreaField label="Likely consequences" {...text('consequences')} />
      <TextAreaField label="Measures taken or proposed" {...text('measures')} />
    </ActionDialog>
  );
}

/** Records the public communication that replaces individual notices (Art. 34(3)(c)). */
export function PublicCommunication({ breach, onDone }: { breach: Breach; onDone: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [channel, setChannel] = useState('');
  const [reference, setReference] = useState('');
  const [reason, setReason] = useState('');
  return (
    <ActionDialog
      trigger="Record a public communication"
      title="Public communication instead of individual notices"
      submitLabel="Record"
      onSubmit={async () => {
        await api.post(`/v1/breaches/${breach.id}/public-communication`, {
          publishedAt: new Date().toISOString(),
          channel: channel.trim(),
          reference: reference.trim(),
          reason: reason.trim(),
        });
        await onDone();
      }}
    >
      <TextField
        label="Where it was published"
        required
        maxLength={300}
        value={channel}
        onChange={(event) => setChannel(event.target.value)}
      />
      <TextField
        label="Link or reference"
        required
        maxLength={500}
        value={reference}
        onChange={(event) => setReference(event.target.value)}
      />
      <TextAreaField
        label="Why individual notice would take disproportionate effort"
        required
        maxLength={2000}
        value={reason}
        onChange={(event) => setReason(event.target.value)}
      />
    </ActionDialog>
  );
}
