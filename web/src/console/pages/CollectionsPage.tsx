import { type FormEvent, useState } from 'react';
import { formatDate, humanize } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Badge,
  Button,
  Card,
  CheckboxField,
  Empty,
  ErrorAlert,
  LoadState,
  PageHeader,
  SelectField,
  TableWrap,
  TextField,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import type { Collection, FieldDefinition } from '../types';

const fieldTypes = ['string', 'email', 'phone', 'date', 'datetime', 'number', 'boolean', 'address', 'json'];
const classifications = ['public', 'internal', 'confidential', 'restricted'];

type DraftField = Pick<
  FieldDefinition,
  'name' | 'type' | 'category' | 'classification' | 'required' | 'indexed'
>;

const newField = (): DraftField => ({
  name: '',
  type: 'string',
  category: 'user',
  classification: 'confidential',
  required: false,
  indexed: false,
});

function classificationTone(classification: string): string {
  if (classification === 'restricted') return 'danger';
  if (classification === 'confidential') return 'warning';
  if (classification === 'internal') return 'info';
  return 'neutral';
}

function CreateCollection({ onCreated }: { onCreated: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [multiple, setMultiple] = useState(false);
  const [fields, setFields] = useState<DraftField[]>([newField()]);
  const create = useAction(async () => {
    await api.post('/v1/collections', { name, description, multiple, fields });
    setName('');
    setDescription('');
    setMultiple(false);
    setFields([newField()]);
    await onCreated();
  });
  const change = (index: number, patch: Partial<DraftField>) =>
    setFields(fields.map((field, position) => (position === index ? { ...field, ...patch } : field)));

  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run();
  }

  return (
    <Card title="Create a collection">
      <details>
        <summary>Define a new collection of personal data</summary>
        <form className="form form-wide" onSubmit={submit}>
          <ErrorAlert error={create.error} />
          <div className="form-row">
            <TextField
              label="Name"
              required
              pattern="[a-z][a-z0-9_]*"
              value={name}
              onChange={(event) => setName(event.target.value)}
              hint="Lower-case letters, digits and _, e.g. customers."
            />
            <TextField
              label="Description"
              value={description}
              onChange={(event) => setDescription(event.target.value)}
            />
          </div>
          <CheckboxField
            label="Many records per subject"
            checked={multiple}
            onChange={(event) => setMultiple(event.target.checked)}
          />
          {fields.map((field, index) => (
            <fieldset key={`field-${index.toString()}`}>
              <legend>Field {index + 1}</legend>
              <div className="form-row">
                <TextField
                  label="Field name"
                  required
                  value={field.name}
                  onChange={(event) => change(index, { name: event.target.value })}
                />
                <SelectField
                  label="Type"
                  value={field.type}
                  onChange={(event) => change(index, { type: event.target.value })}
                  options={fieldTypes.map((value) => ({ value, label: value }))}
                />
                <TextField
                  label="Data category"
                  value={field.category}
                  onChange={(event) => change(index, { category: event.target.value })}
                  hint="A fideslang category, e.g. user.contact.email."
                />
                <SelectField
                  label="Classification"
                  value={field.classification}
                  onChange={(event) =>
                    change(index, { classification: event.target.value as DraftField['classification'] })
                  }
                  options={classifications.map((value) => ({ value, label: humanize(value) }))}
                />
              </div>
              <div className="button-row">
                <CheckboxField
                  label="Required"
                  checked={field.required}
                  onChange={(event) => change(index, { required: event.target.checked })}
                />
                <CheckboxField
                  label="Searchable (blind index)"
                  checked={field.indexed}
                  onChange={(event) => change(index, { indexed: event.target.checked })}
                />
                {fields.length > 1 ? (
                  <Button
                    variant="ghost"
                    onClick={() => setFields(fields.filter((_, position) => position !== index))}
                  >
                    Remove field {index + 1}
                  </Button>
                ) : null}
              </div>
            </fieldset>
          ))}
          <div className="button-row">
            <Button onClick={() => setFields([...fields, newField()])}>Add a field</Button>
            <Button type="submit" variant="primary" busy={create.busy}>
              Create collection
            </Button>
          </div>
        </form>
      </details>
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
              <Card
                key={collection.id}
                title={collection.name}
                actions={
                  <span className="muted">
                    version {collection.version} ·{' '}
                    {collection.source === 'config' ? 'from the config file' : 'via the API'} ·{' '}
                    {collection.multiple ? 'many records per subject' : 'one record per subject'} · updated{' '}
                    {formatDate(collection.updatedAt)}
                  </span>
                }
              >
                {collection.description ? <p>{collection.description}</p> : null}
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
                            <Badge tone={classificationTone(field.classification)}>
                              {field.classification}
                            </Badge>
                          </td>
                          <td>{field.required ? 'Yes' : 'No'}</td>
                          <td>{field.indexed ? 'Yes' : 'No'}</td>
                          <td>
                            {field.classification === 'public'
                              ? 'in clear'
                              : humanize(field.masking?.op ?? 'default')}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
              </Card>
            ))
          )
        }
      </LoadState>
    </>
  );
}
