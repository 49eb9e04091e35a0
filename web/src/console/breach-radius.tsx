import { type FormEvent, useState } from 'react';
import { formatNumber } from '../shared/format';
import { useAction } from '../shared/hooks';
import { Button, Card, ErrorAlert, Facts, SelectField, TextField } from '../shared/ui';
import { type Breach, instantOf, optionsOf } from './breach-view';
import { useSignedIn } from './session';

type Radius = {
  subjects: number;
  entries: number;
  kinds: Record<string, number>;
  fields: string[];
  categories: string[];
};

/** Whose data a compromised principal or network was handed: computed, shown, then attached. */
export function BlastRadiusPanel({ breach, onDone }: { breach: Breach; onDone: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [kind, setKind] = useState('principal');
  const [principalType, setPrincipalType] = useState('api_key');
  const [id, setId] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [found, setFound] = useState<Radius>();
  const query = () => ({
    source: kind === 'principal' ? { kind, type: principalType, id: id.trim() } : { kind, range: id.trim() },
    from: instantOf(from),
    ...(until ? { until: instantOf(until) } : {}),
  });
  const compute = useAction(async () =>
    setFound(await api.post<Radius>('/v1/breaches/blast-radius', query())),
  );
  const attach = useAction(async () => {
    await api.post(`/v1/breaches/${breach.id}/affected-set`, query());
    setFound(undefined);
    await onDone();
  });
  return (
    <Card title="Blast radius">
      <p>Whose data a compromised operator, API key or client network was handed, from the audit trail.</p>
      <form
        className="form"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void compute.run();
        }}
      >
        <ErrorAlert error={compute.error ?? attach.error} />
        <SelectField
          label="Source"
          value={kind}
          options={optionsOf(['principal', 'network'])}
          onChange={(event) => setKind(event.target.value)}
        />
        {kind === 'principal' ? (
          <SelectField
            label="Principal"
            value={principalType}
            options={optionsOf(['api_key', 'operator'])}
            onChange={(event) => setPrincipalType(event.target.value)}
          />
        ) : null}
        <TextField
          label={kind === 'principal' ? 'Operator or API key id' : 'Address range (CIDR)'}
          required
          maxLength={200}
          value={id}
          onChange={(event) => setId(event.target.value)}
        />
        <TextField
          label="From"
          type="datetime-local"
          required
          value={from}
          onChange={(event) => setFrom(event.target.value)}
        />
        <TextField
          label="Until"
          hint="Empty: until now"
          type="datetime-local"
          value={until}
          onChange={(event) => setUntil(event.target.value)}
        />
        <Button type="submit" busy={compute.busy}>
          Compute blast radius
        </Button>
      </form>
      {found ? (
        <>
          <Facts
            items={[
              ['Subjects', formatNumber(found.subjects)],
              ['Audit entries', formatNumber(found.entries)],
              ['Fields', found.fields.join(', ') || 'None named'],
              ['Data categories', found.categories.join(', ') || 'None'],
            ]}
          />
          <Button variant="primary" busy={attach.busy} onClick={() => void attach.run()}>
            Attach to this breach
          </Button>
        </>
      ) : null}
    </Card>
  );
}
