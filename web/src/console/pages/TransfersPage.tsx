import { type FormEvent, useState } from 'react';
import { formatNumber, label } from '../../shared/format';
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
import {
  type AdequacyDecision,
  DecisionView,
  flowStatusLabels,
  flowStatusTones,
  mechanismKindLabels,
  type ResidencyPolicy,
  type TransferDecision,
  type TransferMechanism,
  type TransferReference,
  type TransferRegister,
} from '../transfer-view';

const classificationOptions = [
  { value: 'public', label: 'Public' },
  { value: 'internal', label: 'Internal' },
  { value: 'confidential', label: 'Confidential' },
  { value: 'restricted', label: 'Restricted' },
];
const roleOptions = [
  { value: 'processor', label: 'Processor' },
  { value: 'controller', label: 'Controller' },
];
const codesOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((code) => code.trim().toUpperCase())
    .filter((code) => code.length > 0);

function CheckTransferForm() {
  const { api } = useSignedIn();
  const [source, setSource] = useState('EU');
  const [target, setTarget] = useState('US');
  const [classification, setClassification] = useState('confidential');
  const [exporterRole, setExporterRole] = useState('controller');
  const [recipientRole, setRecipientRole] = useState('processor');
  const [date, setDate] = useState('');
  const [dpf, setDpf] = useState(false);
  const [decision, setDecision] = useState<TransferDecision>();
  const check = useAction(async () => {
    setDecision(
      await api.post<TransferDecision>('/v1/transfers/validate', {
        source: source.trim().toUpperCase(),
        target: target.trim().toUpperCase(),
        data: { classification },
        exporterRole,
        recipientRole,
        recipientScopes: dpf ? ['eu_us_dpf'] : [],
        ...(date ? { date } : {}),
      }),
    );
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void check.run();
  }
  return (
    <Card title="Check a transfer">
      <form className="form" onSubmit={submit}>
        <ErrorAlert error={check.error} />
        <TextField
          label="From (country, EU or EEA)"
          required
          value={source}
          onChange={(e) => setSource(e.target.value)}
        />
        <TextField
          label="To (country or EPO)"
          required
          value={target}
          onChange={(e) => setTarget(e.target.value)}
        />
        <SelectField
          label="Classification of the data"
          value={classification}
          options={classificationOptions}
          onChange={(e) => setClassification(e.target.value)}
        />
        <SelectField
          label="Exporter is a"
          value={exporterRole}
          options={roleOptions}
          onChange={(e) => setExporterRole(e.target.value)}
        />
        <SelectField
          label="Recipient is a"
          value={recipientRole}
          options={roleOptions}
          onChange={(e) => setRecipientRole(e.target.value)}
        />
        <TextField
          label="Date of the transfer"
          hint="Today when empty."
          type="date"
          value={date}
          onChange={(e) => setDate(e.target.value)}
        />
        <CheckboxField
          label="Recipient certified under the EU-US Data Privacy Framework"
          checked={dpf}
          onChange={(e) => setDpf(e.target.checked)}
        />
        <div className="button-row">
          <Button type="submit" variant="primary" busy={check.busy}>
            Check
          </Button>
        </div>
      </form>
      {decision ? <DecisionView decision={decision} /> : null}
    </Card>
  );
}

function RegisterCard() {
  const { api } = useSignedIn();
  const register = useLoad(() => api.get<TransferRegister>('/v1/transfers/register'), [api]);
  return (
    <Card title="Transfer register">
      <LoadState loaded={register} label="Loading the register…">
        {(data) =>
          data.flows.length === 0 ? (
            <Empty>
              No system or processor of the data map receives personal data outside {data.exporter}.
            </Empty>
          ) : (
            <>
              <p>
                {formatNumber(data.approvals.approved)} of {formatNumber(data.approvals.total)} flows rest on
                adequacy or a valid mechanism (exporter: {data.exporter}).
              </p>
              <TableWrap label="Transfer register">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Recipient</th>
                      <th scope="col">Destination</th>
                      <th scope="col">Classification</th>
                      <th scope="col">Status</th>
                      <th scope="col">Why</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.flows.map((flow) => (
                      <tr key={`${flow.recipientType}-${flow.recipientId}-${flow.destination}`}>
                        <td>
                          {flow.recipientName} <small>({flow.recipientType})</small>
                        </td>
                        <td>{flow.destination}</td>
                        <td>{flow.classification}</td>
                        <td>
                          <Badge tone={flowStatusTones[flow.status]}>
                            {label(flowStatusLabels, flow.status)}
                          </Badge>
                        </td>
                        <td>{flow.decision.reasons.map((reason) => reason.code).join(', ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            </>
          )
        }
      </LoadState>
    </Card>
  );
}

/** Rows: classifications and special categories; columns: the places the policy names; cells: may it go. */
function PolicyMatrix({ policy }: { policy: ResidencyPolicy }) {
  const named = new Set<string>(policy.allowedDestinations ?? []);
  for (const list of Object.values(policy.classificationDestinations))
    for (const place of list) named.add(place);
  for (const place of policy.specialCategoryDestinations ?? []) named.add(place);
  const columns = [...named].sort();
  const allowedFor = (restriction: string[] | null | undefined, place: string) => {
    const general = policy.allowedDestinations === null || policy.allowedDestinations.includes(place);
    return general && (restriction === undefined || restriction === null || restriction.includes(place));
  };
  const rows: [string, string[] | null | undefined][] = [
    ...classificationOptions.map((option): [string, string[] | undefined] => [
      option.label,
      policy.classificationDestinations[option.value],
    ]),
    ['Special categories (Art. 9)', policy.specialCategoryDestinations],
  ];
  return (
    <TableWrap label={`Policy ${policy.name}: classification by destination`}>
      <table>
        <thead>
          <tr>
            <th scope="col">Data</th>
            <th scope="col">Inside {policy.region}</th>
            {columns.map((place) => (
              <th scope="col" key={place}>
                {place}
              </th>
            ))}
            <th scope="col">Elsewhere</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, restriction]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>Allowed</td>
              {columns.map((place) => (
                <td key={place}>{allowedFor(restriction, place) ? 'Allowed' : 'Refused'}</td>
              ))}
              <td>
                {policy.allowedDestinations === null && (restriction === undefined || restriction === null)
                  ? 'As the law allows'
                  : 'Refused'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function PoliciesCard() {
  const { api, can } = useSignedIn();
  const policies = useLoad(() => api.get<{ items: ResidencyPolicy[] }>('/v1/transfers/policies'), [api]);
  const [name, setName] = useState('');
  const [region, setRegion] = useState('EU');
  const [allowed, setAllowed] = useState('');
  const [restrictedInside, setRestrictedInside] = useState(true);
  const [specialInside, setSpecialInside] = useState(true);
  const [requireMechanism, setRequireMechanism] = useState(false);
  const create = useAction(async () => {
    await api.post('/v1/transfers/policies', {
      name: name.trim(),
      region: region.trim().toUpperCase(),
      allowedDestinations: allowed.trim() ? codesOf(allowed) : null,
      classificationDestinations: restrictedInside ? { restricted: [] } : {},
      specialCategoryDestinations: specialInside ? [] : null,
      requireMechanismInPlace: requireMechanism,
    });
    setName('');
    await policies.reload();
  });
  const remove = useAction(async (id: string) => {
    await api.delete(`/v1/transfers/policies/${id}`);
    await policies.reload();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run();
  }
  return (
    <Card title="Residency policies">
      <ErrorAlert error={remove.error} />
      <LoadState loaded={policies} label="Loading policies…">
        {(data) =>
          data.items.length === 0 ? (
            <Empty>No residency policy: data may go wherever the law allows.</Empty>
          ) : (
            data.items.map((policy) => (
              <section key={policy.id} aria-label={policy.name}>
                <h3>
                  {policy.name} ({policy.region})
                  {policy.requireMechanismInPlace ? ' · a valid mechanism must be in place' : ''}
                </h3>
                <PolicyMatrix policy={policy} />
                {can('transfers.manage') ? (
                  <Button onClick={() => void remove.run(policy.id)}>Remove policy {policy.name}</Button>
                ) : null}
              </section>
            ))
          )
        }
      </LoadState>
      {can('transfers.manage') ? (
        <form className="form" onSubmit={submit}>
          <h3>New policy</h3>
          <ErrorAlert error={create.error} />
          <TextField
            label="Name"
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <TextField
            label="Region it governs (country, EU or EEA)"
            required
            value={region}
            onChange={(e) => setRegion(e.target.value)}
          />
          <TextField
            label="Allowed destinations beyond the region"
            hint="Country codes, EU, EEA or EPO, separated by commas. Empty: anywhere the law allows."
            value={allowed}
            onChange={(e) => setAllowed(e.target.value)}
          />
          <CheckboxField
            label="Restricted data stays in the region"
            checked={restrictedInside}
            onChange={(e) => setRestrictedInside(e.target.checked)}
          />
          <CheckboxField
            label="Special categories stay in the region"
            checked={specialInside}
            onChange={(e) => setSpecialInside(e.target.checked)}
          />
          <CheckboxField
            label="Refuse transfers without a valid mechanism in place"
            checked={requireMechanism}
            onChange={(e) => setRequireMechanism(e.target.checked)}
          />
          <div className="button-row">
            <Button type="submit" variant="primary" busy={create.busy}>
              Create policy
            </Button>
          </div>
        </form>
      ) : null}
    </Card>
  );
}

function mechanismSummary(mechanism: TransferMechanism): string {
  const details = mechanism.details;
  if (mechanism.kind === 'scc') return `module ${String(details.module)}, signed ${String(details.signedOn)}`;
  if (mechanism.kind === 'derogation')
    return `${String(details.ground).replaceAll('_', ' ')}${details.regular ? ' (regular flow!)' : ''}`;
  return String(details.approvalReference ?? details.reference ?? details.scopeCode ?? '');
}

function MechanismsCard() {
  const { api, can } = useSignedIn();
  const mechanisms = useLoad(
    () => api.get<{ items: TransferMechanism[] }>('/v1/transfers/mechanisms'),
    [api],
  );
  const [recipientName, setRecipientName] = useState('');
  const [destination, setDestination] = useState('US');
  const [module, setModule] = useState('2');
  const [signedOn, setSignedOn] = useState('');
  const roles: Record<string, [string, string]> = {
    '1': ['controller', 'controller'],
    '2': ['controller', 'processor'],
    '3': ['processor', 'processor'],
    '4': ['processor', 'controller'],
  };
  const create = useAction(async () => {
    const [exporterRole, importerRole] = roles[module] ?? ['controller', 'processor'];
    await api.post('/v1/transfers/mechanisms', {
      recipientType: 'other',
      recipientId: null,
      recipientName: recipientName.trim(),
      destination: destination.trim().toUpperCase(),
      details: { kind: 'scc', module: Number(module), exporterRole, importerRole, signedOn },
    });
    setRecipientName('');
    await mechanisms.reload();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run();
  }
  return (
    <Card title="Mechanisms and impact assessments">
      <LoadState loaded={mechanisms} label="Loading mechanisms…">
        {(data) =>
          data.items.length === 0 ? (
            <Empty>No mechanism recorded.</Empty>
          ) : (
            <TableWrap label="Mechanisms">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Recipient</th>
                    <th scope="col">Destination</th>
                    <th scope="col">Mechanism</th>
                    <th scope="col">Details</th>
                    <th scope="col">Latest TIA</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((mechanism) => {
                    const tia = mechanism.tias[0];
                    return (
                      <tr key={mechanism.id}>
                        <td>{mechanism.recipientName}</td>
                        <td>{mechanism.destination}</td>
                        <td>{mechanismKindLabels[mechanism.kind] ?? mechanism.kind}</td>
                        <td>{mechanismSummary(mechanism)}</td>
                        <td>
                          {tia
                            ? `${tia.conclusion.replaceAll('_', ' ')}, review by ${tia.reviewOn}`
                            : mechanism.kind === 'scc' || mechanism.kind === 'bcr'
                              ? 'None: needed'
                              : 'Not applicable'}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </LoadState>
      {can('transfers.manage') ? (
        <form className="form" onSubmit={submit}>
          <h3>Record SCCs (2021/914)</h3>
          <ErrorAlert error={create.error} />
          <TextField
            label="Recipient"
            required
            maxLength={200}
            value={recipientName}
            onChange={(e) => setRecipientName(e.target.value)}
          />
          <TextField
            label="Destination country"
            required
            value={destination}
            onChange={(e) => setDestination(e.target.value)}
          />
          <SelectField
            label="Module"
            value={module}
            options={[
              { value: '1', label: 'Module 1: controller to controller' },
              { value: '2', label: 'Module 2: controller to processor' },
              { value: '3', label: 'Module 3: processor to processor' },
              { value: '4', label: 'Module 4: processor to controller' },
            ]}
            onChange={(e) => setModule(e.target.value)}
          />
          <TextField
            label="Signed on"
            required
            type="date"
            value={signedOn}
            onChange={(e) => setSignedOn(e.target.value)}
          />
          <div className="button-row">
            <Button type="submit" variant="primary" busy={create.busy}>
              Record SCCs
            </Button>
          </div>
        </form>
      ) : null}
    </Card>
  );
}

function ReferenceCard() {
  const { api } = useSignedIn();
  const [asOf, setAsOf] = useState('');
  const reference = useLoad(
    () => api.get<TransferReference>('/v1/transfers/reference', asOf ? { asOf } : {}),
    [api, asOf],
  );
  const inForce = (decision: AdequacyDecision, data: TransferReference) =>
    data.inForceOnDate ? (data.inForceOnDate.includes(decision.id) ? 'Yes' : 'No') : null;
  return (
    <Card title="Adequacy decisions (reference data)">
      <TextField label="In force on" type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} />
      <LoadState loaded={reference} label="Loading reference data…">
        {(data) => (
          <>
            <p>
              {data.info.title}. Last reviewed {data.info.lastReviewed}. <small>{data.info.license}</small>
            </p>
            <TableWrap label="Adequacy decisions">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Destination</th>
                    <th scope="col">Instrument</th>
                    <th scope="col">Scope</th>
                    <th scope="col">In force</th>
                    <th scope="col">Ends</th>
                    {data.asOf ? <th scope="col">On {data.asOf}</th> : null}
                    <th scope="col">Source</th>
                  </tr>
                </thead>
                <tbody>
                  {data.decisions.map((decision) => (
                    <tr key={decision.id}>
                      <td>
                        {decision.name} ({decision.destination})
                        {decision.origin === 'override' ? ' · override' : ''}
                      </td>
                      <td>{decision.instrument}</td>
                      <td>{decision.scope ? decision.scope.text : 'Whole destination'}</td>
                      <td>{decision.inForce}</td>
                      <td>{decision.endsOn ?? '—'}</td>
                      {data.asOf ? <td>{inForce(decision, data)}</td> : null}
                      <td>{decision.source}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </>
        )}
      </LoadState>
    </Card>
  );
}

/** Cross-border transfers: check one, the register, residency policies, mechanisms, the adequacy list. */
export function TransfersPage() {
  useTitle('Transfers', 'Custos console');
  return (
    <>
      <PageHeader
        title="Transfers"
        description="Cross-border transfers (GDPR Chapter V): the explained decision on a transfer, the register derived from the data map, residency policies, mechanisms with their impact assessments, and the dated adequacy list. Decision support, not legal advice."
      />
      <CheckTransferForm />
      <RegisterCard />
      <PoliciesCard />
      <MechanismsCard />
      <ReferenceCard />
    </>
  );
}
