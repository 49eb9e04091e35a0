import { useState } from 'react';
import { formatDate } from '../../shared/format';
import { useLoad, useTitle } from '../../shared/hooks';
import { Alert, Badge, Button, Card, Empty, Facts, LoadState, PageHeader, TableWrap } from '../../shared/ui';
import { type RetentionRule, RetentionRuleForm } from '../retention-form';
import { useSignedIn } from '../session';
import type { Collection } from '../types';

type Counts = { records: number; subjects: number };
type Preview = {
  at: string;
  until: string;
  rules: {
    rule: { id: string; name: string };
    action: string;
    collections: string[];
    now: Counts;
    soon: Counts;
    held: number;
  }[];
  overlaps: { collection: string; rules: { name: string; action: string; grounded: boolean }[] }[];
};
type Run = {
  id: string;
  kind: string;
  status: 'running' | 'completed' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  resumed: number;
  collections: { total: number; done: number };
  results: { ruleId: string; action: string; records: number; subjects: number; dueSoon: number }[];
  error: string | null;
};

const triggerWords: Record<string, string> = {
  record_created: 'storage',
  last_activity: 'last activity',
  relationship_ended: 'end of relationship',
  consent_withdrawn: 'consent withdrawn',
  date_field: 'date field',
  age_reached: 'age reached',
};

function scopeOf(rule: RetentionRule): string {
  if (rule.collection) return `collection ${rule.collection}`;
  if (rule.dataCategory) return `category ${rule.dataCategory}`;
  return `purpose ${rule.purpose}`;
}

function RuleItem({
  rule,
  collections,
  manage,
  onChanged,
}: {
  rule: RetentionRule;
  collections: Collection[];
  manage: boolean;
  onChanged: (message: string) => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  return (
    <li>
      <div className="list-row">
        <span>
          <strong>{rule.name}</strong>{' '}
          <Badge tone={rule.legalBasis ? 'info' : 'neutral'}>{rule.action}</Badge>
        </span>
        {manage && !editing ? (
          <Button variant="ghost" onClick={() => setEditing(true)}>
            Edit<span className="visually-hidden"> {rule.name}</span>
          </Button>
        ) : null}
      </div>
      {editing ? (
        <RetentionRuleForm
          rule={rule}
          collections={collections}
          onCancel={() => setEditing(false)}
          onSaved={async (saved) => {
            setEditing(false);
            await onChanged(`${saved.name} was saved.`);
          }}
        />
      ) : (
        <p className="muted">
          {scopeOf(rule)} · {rule.duration ?? 'no period'} after {triggerWords[rule.trigger.type]} ·{' '}
          {rule.legalBasis ? `legal ground: ${rule.legalBasis}` : 'no legal ground'}
          {Object.keys(rule.anonymization).length > 0
            ? ` · operators: ${Object.entries(rule.anonymization)
                .map(([field, operator]) => `${field} → ${operator.op}`)
                .join(', ')}`
            : ''}
          {rule.fields && rule.action === 'anonymize' ? ` · keeps ${rule.fields.join(', ')}` : ''}
        </p>
      )}
    </li>
  );
}

function PreviewCard({ preview }: { preview: Preview }) {
  return (
    <>
      <p className="muted">
        As of {formatDate(preview.at)}; “soon” is until {formatDate(preview.until)}. Nothing is changed.
      </p>
      {preview.rules.length === 0 ? (
        <Empty>No rule covers any record yet.</Empty>
      ) : (
        <TableWrap label="What each rule would do">
          <table>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Action</th>
                <th scope="col">Now (records / subjects)</th>
                <th scope="col">Soon (records / subjects)</th>
                <th scope="col">Held</th>
              </tr>
            </thead>
            <tbody>
              {preview.rules.map((entry) => (
                <tr key={entry.rule.id}>
                  <td>{entry.rule.name}</td>
                  <td>{entry.action}</td>
                  <td>
                    {entry.now.records} / {entry.now.subjects}
                  </td>
                  <td>
                    {entry.soon.records} / {entry.soon.subjects}
                  </td>
                  <td>{entry.held}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {preview.overlaps.map((overlap) => (
        <Alert key={overlap.collection} tone="info" title={`Rules overlap in ${overlap.collection}`}>
          {overlap.rules
            .map((rule) => `${rule.name} (${rule.action}${rule.grounded ? ', legal ground' : ''})`)
            .join(', ')}
          . For each record, the rule with a legal ground keeping it longest decides, else the rule due first.
        </Alert>
      ))}
    </>
  );
}

function RunList({ runs, names }: { runs: Run[]; names: Map<string, string> }) {
  if (runs.length === 0) return <Empty>No run yet. The daily review runs at 02:00 UTC.</Empty>;
  return (
    <ul className="list">
      {runs.map((run) => (
        <li key={run.id}>
          <div className="list-row">
            <span>
              <strong>{run.kind}</strong>{' '}
              <Badge
                tone={run.status === 'completed' ? 'success' : run.status === 'failed' ? 'danger' : 'warning'}
              >
                {run.status}
              </Badge>
            </span>
            <span className="muted">{formatDate(run.startedAt)}</span>
          </div>
          <Facts
            items={[
              ['Progress', `${run.collections.done} of ${run.collections.total} collections`],
              ['Taken over', String(run.resumed)],
              ['Finished', run.finishedAt ? formatDate(run.finishedAt) : '—'],
              ...run.results.map(
                (result) =>
                  [
                    names.get(result.ruleId) ?? result.ruleId,
                    `${result.action}: ${result.records} records, ${result.subjects} subjects; ${result.dueSoon} due soon`,
                  ] as [string, string],
              ),
            ]}
          />
        </li>
      ))}
    </ul>
  );
}

/** Retention: the rules, what they would do now (the dry run), and the runs that did it. */
export function RetentionPage() {
  const { api, can } = useSignedIn();
  useTitle('Retention', 'Custos console');
  const rules = useLoad(() => api.get<{ items: RetentionRule[] }>('/v1/retention/policies'), [api]);
  const collections = useLoad(() => api.get<{ items: Collection[] }>('/v1/collections'), [api]);
  const preview = useLoad(() => api.get<Preview>('/v1/retention/preview'), [api]);
  const runs = useLoad(() => api.get<{ items: Run[] }>('/v1/retention/runs'), [api]);
  const manage = can('retention.manage');
  const [notice, setNotice] = useState<string>();
  async function changed(message: string) {
    setNotice(message);
    await Promise.all([rules.reload(), preview.reload()]);
  }
  const names = new Map((rules.data?.items ?? []).map((rule) => [rule.id, rule.name]));
  return (
    <>
      <PageHeader
        title="Retention"
        description="Rules that end the storage of personal data: what they cover, from which moment, for how long, and what happens then."
      />
      {manage ? (
        <Card title="New rule">
          <details>
            <summary>Add a retention rule</summary>
            <RetentionRuleForm
              collections={collections.data?.items ?? []}
              onSaved={(rule) => changed(`${rule.name} was created.`)}
            />
          </details>
        </Card>
      ) : null}
      <Card title="Rules">
        {notice ? <Alert tone="success">{notice}</Alert> : null}
        <LoadState loaded={rules}>
          {(data) =>
            data.items.length === 0 ? (
              <Empty>No retention rule yet.</Empty>
            ) : (
              <ul className="list">
                {data.items.map((rule) => (
                  <RuleItem
                    key={rule.id}
                    rule={rule}
                    collections={collections.data?.items ?? []}
                    manage={manage}
                    onChanged={changed}
                  />
                ))}
              </ul>
            )
          }
        </LoadState>
      </Card>
      <Card title="Preview">
        <LoadState loaded={preview}>{(data) => <PreviewCard preview={data} />}</LoadState>
      </Card>
      <Card title="Runs">
        <LoadState loaded={runs}>{(data) => <RunList runs={data.items} names={names} />}</LoadState>
      </Card>
    </>
  );
}
