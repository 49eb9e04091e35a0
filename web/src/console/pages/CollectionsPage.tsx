import { useState } from 'react';
import { formatDate, humanize } from '../../shared/format';
import { useLoad, useTitle } from '../../shared/hooks';
import { Alert, Badge, Button, Card, Empty, LoadState, PageHeader, TableWrap } from '../../shared/ui';
import { CreateCollectionForm, EditCollectionForm } from '../collection-form';
import { useSignedIn } from '../session';
import type { Collection } from '../types';

function classificationTone(classification: string): string {
  if (classification === 'restricted') return 'danger';
  if (classification === 'confidential') return 'warning';
  if (classification === 'internal') return 'info';
  return 'neutral';
}

function CreateCollection({ onCreated }: { onCreated: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<string>();
  return (
    <Card title="Create a collection">
      {created ? <Alert tone="success">Collection “{created}” created.</Alert> : null}
      <details open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>Define a new collection of personal data</summary>
        {open ? (
          <CreateCollectionForm
            onCreated={async (name) => {
              setCreated(name);
              setOpen(false);
              await onCreated();
            }}
          />
        ) : null}
      </details>
    </Card>
  );
}

function FieldsTable({ collection }: { collection: Collection }) {
  return (
    <TableWrap label={`Fields of ${collection.name}`}>
      <table>
        <caption className="visually-hidden">Fields of {collection.name}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Type</th>
            <th scope="col">Category</th>
            <th scope="col">Classification</th>
            <th scope="col">Required</th>
            <th scope="col">Searchable</th>
            <th scope="col">Tokenizable</th>
            <th scope="col">Shown masked as</th>
          </tr>
        </thead>
        <tbody>
          {collection.fields.map((field) => (
            <tr key={field.name}>
              <th scope="row" className="mono">
                {field.name}
              </th>
              <td>{field.type}</td>
              <td className="mono">{field.category}</td>
              <td>
                <Badge tone={classificationTone(field.classification)}>{field.classification}</Badge>
              </td>
              <td>{field.required ? 'Yes' : 'No'}</td>
              <td>{field.indexed ? 'Yes' : 'No'}</td>
              <td>{field.tokenizable ? 'Yes' : 'No'}</td>
              <td>
                {field.classification === 'public' ? 'in clear' : humanize(field.masking?.op ?? 'default')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** One collection: its fields, and for those who manage collections a form to add or change fields. */
function CollectionCard({
  collection,
  manage,
  onChanged,
}: {
  collection: Collection;
  manage: boolean;
  onChanged: () => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<string>();
  const fromConfig = collection.source === 'config';
  return (
    <Card
      title={collection.name}
      actions={
        <span className="button-row">
          <span className="muted">
            version {collection.version} · {fromConfig ? 'from the config file' : 'via the API'} ·{' '}
            {collection.multiple ? 'many records per subject' : 'one record per subject'} · updated{' '}
            {formatDate(collection.updatedAt)}
          </span>
          {manage && !fromConfig && !editing ? (
            <Button
              onClick={() => {
                setSaved(undefined);
                setEditing(true);
              }}
            >
              Add or change fields<span className="visually-hidden"> of {collection.name}</span>
            </Button>
          ) : null}
        </span>
      }
    >
      {saved ? <Alert tone="success">{saved}</Alert> : null}
      {collection.description ? <p>{collection.description}</p> : null}
      {editing ? (
        <section className="edit-form" aria-label={`Change ${collection.name}`}>
          <h3>Fields of {collection.name}</h3>
          <EditCollectionForm
            collection={collection}
            onCancel={() => setEditing(false)}
            onSaved={async (message) => {
              setSaved(message);
              setEditing(false);
              await onChanged();
            }}
          />
        </section>
      ) : (
        <FieldsTable collection={collection} />
      )}
      {manage && fromConfig ? (
        <p className="muted">Declared in the config file: change it there (it is applied at start).</p>
      ) : null}
    </Card>
  );
}

/** Collections: the schemas of personal data the vault holds, with each field's category and protection. */
export function CollectionsPage() {
  const { api, can } = useSignedIn();
  useTitle('Collections', 'Custos console');
  const collections = useLoad(() => api.get<{ items: Collection[] }>('/v1/collections'), [api]);
  return (
    <>
      <PageHeader
        title="Collections"
        description="What personal data the vault holds: each field’s type, data category and classification. Non-public fields are encrypted per subject."
      />
      {can('vault.collections.manage') ? <CreateCollection onCreated={collections.reload} /> : null}
      <LoadState loaded={collections} label="Loading collections…">
        {(data) =>
          data.items.length === 0 ? (
            <Empty>No collections yet.</Empty>
          ) : (
            data.items.map((collection) => (
              <CollectionCard
                key={collection.id}
                collection={collection}
                manage={can('vault.collections.manage')}
                onChanged={collections.reload}
              />
            ))
          )
        }
      </LoadState>
    </>
  );
}
