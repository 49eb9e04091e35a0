/**
 * Fides interoperability: the map as fideslang manifests to download, and a manifest to bring in — checked
 * first (a dry run listing what would be created or replaced), then imported all at once.
 */
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { ApiError } from '../../shared/api';
import { useAction, useTitle } from '../../shared/hooks';
import {
  Alert,
  Badge,
  Button,
  Card,
  ErrorAlert,
  SelectField,
  TableWrap,
  TextAreaField,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import type { FidesImportResult } from '../types';
import { useManage } from './common';
import { inventoryPaths } from './inventory-api';

const changeTones = { create: 'success', replace: 'warning', unchanged: 'neutral' } as const;

function Differences({ result }: { result: FidesImportResult }) {
  const changing = result.differences.filter((difference) => difference.change !== 'unchanged');
  return (
    <>
      <Alert
        tone={result.dryRun ? 'info' : 'success'}
        title={result.dryRun ? 'Checked: nothing written yet' : 'Imported'}
      >
        {changing.length} of {result.differences.length} entries {result.dryRun ? 'would change' : 'changed'}.
      </Alert>
      <TableWrap label="Differences from the map">
        <table>
          <caption className="visually-hidden">Differences from the map</caption>
          <thead>
            <tr>
              <th scope="col">Entry</th>
              <th scope="col">Kind</th>
              <th scope="col">Change</th>
              <th scope="col">Fields changing</th>
            </tr>
          </thead>
          <tbody>
            {result.differences.map((difference) => (
              <tr key={`${difference.kind}:${difference.name}`}>
                <td>{difference.name}</td>
                <td>{difference.kind}</td>
                <td>
                  <Badge tone={changeTones[difference.change]}>{difference.change}</Badge>
                </td>
                <td className="mono">{difference.fields.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {result.warnings.length > 0 ? (
        <Alert tone="warning" title="Warnings">
          <ul>
            {result.warnings.map((warning) => (
              <li key={`${warning.path}:${warning.message}`}>
                <span className="mono">{warning.path}</span>: {warning.message}
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}
    </>
  );
}

/** Every bad path of a refused manifest, as the API lists them. */
function ManifestProblems({ error }: { error: unknown }) {
  if (!(error instanceof ApiError) || error.errors.length === 0) return <ErrorAlert error={error} />;
  return (
    <Alert tone="error" title="The manifest was refused; nothing was imported">
      <ul>
        {error.errors.map((problem) => (
          <li key={`${problem.path}:${problem.message}`}>
            <span className="mono">{problem.path || '(manifest)'}</span>: {problem.message}
          </li>
        ))}
      </ul>
    </Alert>
  );
}

function ImportManifest() {
  const { api } = useSignedIn();
  const [text, setText] = useState('');
  const [format, setFormat] = useState<'yaml' | 'json'>('yaml');
  const [result, setResult] = useState<FidesImportResult>();
  const send = useAction(async (dryRun: boolean) => {
    setResult(undefined);
    const contentType = format === 'json' ? 'application/json' : 'application/yaml';
    setResult(
      await api.postText<FidesImportResult>(inventoryPaths.fides, text, contentType, {
        dryRun: String(dryRun),
      }),
    );
  });
  /** A changed manifest must be checked again before it can be imported. */
  function changeText(next: string) {
    setText(next);
    setResult(undefined);
  }
  async function readFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    changeText(await file.text());
    setFormat(/\.json$/i.test(file.name) ? 'json' : 'yaml');
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    void send.run(true);
  }
  return (
    <Card title="Import a manifest">
      <form className="form form-wide" onSubmit={submit} noValidate>
        <p>
          Systems, processors and activities in the manifest are created or replaced by name, all at once or
          not at all. Datasets are matched to vault collections and never change them.
        </p>
        <div className="field">
          <label htmlFor="fides-file">Manifest file</label>
          <input
            id="fides-file"
            type="file"
            accept=".yml,.yaml,.json"
            onChange={(event) => void readFile(event)}
          />
        </div>
        <SelectField
          label="Format"
          value={format}
          onChange={(event) => setFormat(event.target.value as 'yaml' | 'json')}
          options={[
            { value: 'yaml', label: 'YAML' },
            { value: 'json', label: 'JSON' },
          ]}
        />
        <TextAreaField
          label="Manifest"
          rows={12}
          className="mono"
          value={text}
          onChange={(event) => changeText(event.target.value)}
        />
        <ManifestProblems error={send.error} />
        <div className="button-row">
          <Button type="submit" busy={send.busy} disabled={!text.trim()}>
            Check (dry run)
          </Button>
          <Button
            variant="primary"
            busy={send.busy}
            disabled={!text.trim() || !result?.dryRun}
            onClick={() => void send.run(false)}
          >
            Import
          </Button>
        </div>
        {result ? <Differences result={result} /> : null}
      </form>
    </Card>
  );
}

export function FidesView() {
  useTitle('Fides · Data map', 'Custos console');
  const { api } = useSignedIn();
  const manage = useManage();
  return (
    <>
      <Card title="Export">
        <p>
          The map as fideslang manifests: each system with its privacy declarations, each vault collection as
          a dataset, for Ethyca Fides or a policy-as-code repository.
        </p>
        <ul className="inline-list download-list">
          <li>
            <a
              className="button button-secondary"
              href={api.href(inventoryPaths.fides, { format: 'yaml' })}
              download
            >
              Manifest as YAML
            </a>
          </li>
          <li>
            <a
              className="button button-secondary"
              href={api.href(inventoryPaths.fides, { format: 'json' })}
              download
            >
              Manifest as JSON
            </a>
          </li>
        </ul>
      </Card>
      {manage ? <ImportManifest /> : null}
    </>
  );
}
