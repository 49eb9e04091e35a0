import { useState } from 'react';
import { useAction } from '../../shared/hooks';
import {
  Button,
  Card,
  CheckboxField,
  ErrorAlert,
  SelectField,
  TextAreaField,
  TextField,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import {
  type Assessment,
  type Consultation,
  type Mitigation,
  type PriorConsultation,
  type Risk,
  riskKindLabels,
  sectionTitles,
} from './assessment-types';

type Props = { assessment: Assessment; editable: boolean; onSaved: () => void };

/** The seven sections: what the map derived, the text, and whether it is done. */
export function SectionsEditor({ assessment, editable, onSaved }: Props) {
  const { api } = useSignedIn();
  const [sections, setSections] = useState(assessment.sections);
  const save = useAction(async () => {
    const patch = Object.fromEntries(
      Object.entries(sections).map(([key, section]) => [
        key,
        { text: section.text, complete: section.complete },
      ]),
    );
    await api.patch(`/v1/assessments/${assessment.id}`, { sections: patch });
    onSaved();
  });
  return (
    <Card title="Sections">
      {Object.entries(sectionTitles).map(([key, title]) => {
        const section = sections[key];
        if (!section) return null;
        return (
          <section key={key} className="dpia-section">
            <h3>
              {title} {assessment.progress[key] ? '✓' : ''}
            </h3>
            {section.derived.length ? (
              <details>
                <summary>From the data map ({section.derived.length})</summary>
                <ul>
                  {section.derived.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              </details>
            ) : null}
            <TextAreaField
              label={`${title}: text`}
              rows={4}
              maxLength={20000}
              disabled={!editable}
              value={section.text}
              onChange={(event) =>
                setSections({ ...sections, [key]: { ...section, text: event.target.value } })
              }
            />
            <CheckboxField
              label={`${title}: done`}
              disabled={!editable}
              checked={section.complete}
              onChange={(event) =>
                setSections({ ...sections, [key]: { ...section, complete: event.target.checked } })
              }
            />
          </section>
        );
      })}
      {editable ? (
        <>
          <ErrorAlert error={save.error} />
          <div className="button-row">
            <Button variant="primary" busy={save.busy} onClick={() => void save.run()}>
              Save sections
            </Button>
          </div>
        </>
      ) : null}
    </Card>
  );
}

const scores = [
  { value: '', label: 'Not scored' },
  { value: '1', label: '1 — negligible' },
  { value: '2', label: '2 — limited' },
  { value: '3', label: '3 — significant' },
  { value: '4', label: '4 — maximum' },
];
const kinds = Object.entries(riskKindLabels).map(([value, label]) => ({ value, label }));
const num = (value: string) => (value ? Number(value) : null);

/** The risk register: each risk's scores before and after, and its mitigations. */
export function RisksEditor({
  assessment,
  editable,
  onSaved,
  measures,
}: Props & { measures: { id: string; name: string }[] }) {
  const { api } = useSignedIn();
  const [risks, setRisks] = useState<Risk[]>(assessment.risks);
  const save = useAction(async () => {
    await api.put(`/v1/assessments/${assessment.id}/risks`, {
      risks: risks.map(({ inherentLevel: _i, residualLevel: _r, ...risk }) => risk),
    });
    onSaved();
  });
  const update = (index: number, change: Partial<Risk>) =>
    setRisks(risks.map((risk, at) => (at === index ? { ...risk, ...change } : risk)));
  const measureOptions = [
    { value: '', label: 'A new measure (owner and due date)' },
    ...measures.map((m) => ({ value: m.id, label: m.name })),
  ];
  return (
    <Card title="Risk register">
      {risks.map((risk, index) => {
        const name = `R${index + 1}`;
        const score = (
          field: 'likelihood' | 'severity' | 'residualLikelihood' | 'residualSeverity',
          text: string,
        ) => (
          <SelectField
            label={`${name} ${text}`}
            disabled={!editable}
            value={risk[field]?.toString() ?? ''}
            options={scores}
            onChange={(event) => update(index, { [field]: num(event.target.value) })}
          />
        );
        const setMitigation = (at: number, change: Partial<Mitigation>) =>
          update(index, {
            mitigations: risk.mitigations.map((m, i) => (i === at ? { ...m, ...change } : m)),
          });
        return (
          <fieldset key={risk.id ?? index} className="risk-editor">
            <legend>
              {name}: {risk.title}
            </legend>
            <TextField
              label={`${name} title`}
              disabled={!editable}
              value={risk.title}
              onChange={(event) => update(index, { title: event.target.value })}
            />
            <SelectField
              label={`${name} kind`}
              disabled={!editable}
              value={risk.kind}
              options={kinds}
              onChange={(event) => update(index, { kind: event.target.value as Risk['kind'] })}
            />
            <div className="risk-scores">
              {score('likelihood', 'likelihood')}
              {score('severity', 'severity')}
              {score('residualLikelihood', 'residual likelihood')}
              {score('residualSeverity', 'residual severity')}
            </div>
            {risk.mitigations.map((mitigation, at) => (
              <div key={mitigation.id ?? at} className="mitigation">
                <SelectField
                  label={`${name} mitigation ${at + 1}: measure`}
                  disabled={!editable}
                  value={mitigation.measureId ?? ''}
                  options={measureOptions}
                  onChange={(event) => setMitigation(at, { measureId: event.target.value || null })}
                />
                <TextField
                  label={`${name} mitigation ${at + 1}: title`}
                  disabled={!editable}
                  value={mitigation.title}
                  onChange={(event) => setMitigation(at, { title: event.target.value })}
                />
                {mitigation.measureId ? null : (
                  <>
                    <TextField
                      label={`${name} mitigation ${at + 1}: owner`}
                      disabled={!editable}
                      value={mitigation.owner}
                      onChange={(event) => setMitigation(at, { owner: event.target.value })}
                    />
                    <TextField
                      label={`${name} mitigation ${at + 1}: due date`}
                      type="date"
                      disabled={!editable}
                      value={mitigation.dueDate ?? ''}
                      onChange={(event) => setMitigation(at, { dueDate: event.target.value || null })}
                    />
                  </>
                )}
              </div>
            ))}
            {editable ? (
              <div className="button-row">
                <Button
                  variant="ghost"
                  onClick={() =>
                    update(index, {
                      mitigations: [
                        ...risk.mitigations,
                        {
                          measureId: measures[0]?.id ?? null,
                          title: measures[0]?.name ?? '',
                          owner: '',
                          dueDate: null,
                          status: 'planned',
                        },
                      ],
                    })
                  }
                >
                  Add a mitigation to {name}
                </Button>
                <Button variant="ghost" onClick={() => setRisks(risks.filter((_, at) => at !== index))}>
                  Remove {name}
                </Button>
              </div>
            ) : null}
          </fieldset>
        );
      })}
      {editable ? (
        <>
          <ErrorAlert error={save.error} />
          <div className="button-row">
            <Button
              variant="ghost"
              onClick={() =>
                setRisks([
                  ...risks,
                  {
                    kind: 'custom',
                    title: 'Another risk',
                    description: '',
                    likelihood: null,
                    severity: null,
                    residualLikelihood: null,
                    residualSeverity: null,
                    mitigations: [],
                  },
                ])
              }
            >
              Add a risk
            </Button>
            <Button variant="primary" busy={save.busy} onClick={() => void save.run()}>
              Save risks
            </Button>
          </div>
        </>
      ) : null}
    </Card>
  );
}

const emptyConsultation: Consultation = { consulted: true, who: '', how: '', results: '', whyNot: '' };

/** Art. 35(9): who was consulted, how and with what result, or why not. */
export function ConsultationEditor({ assessment, editable, onSaved }: Props) {
  const { api } = useSignedIn();
  const [record, setRecord] = useState<Consultation>(assessment.consultation ?? emptyConsultation);
  const save = useAction(async () => {
    await api.patch(`/v1/assessments/${assessment.id}`, { consultation: record });
    onSaved();
  });
  const field = (key: keyof Consultation, text: string) => (
    <TextAreaField
      label={text}
      rows={2}
      disabled={!editable}
      value={String(record[key])}
      onChange={(event) => setRecord({ ...record, [key]: event.target.value })}
    />
  );
  return (
    <Card title="Consultation of data subjects">
      <CheckboxField
        label="Data subjects or their representatives were consulted"
        disabled={!editable}
        checked={record.consulted}
        onChange={(event) => setRecord({ ...record, consulted: event.target.checked })}
      />
      {record.consulted ? (
        <>
          {field('who', 'Who was consulted (groups, never named people)')}
          {field('how', 'How')}
          {field('results', 'Results')}
        </>
      ) : (
        field('whyNot', 'Why they were not consulted')
      )}
      {editable ? (
        <>
          <ErrorAlert error={save.error} />
          <div className="button-row">
            <Button busy={save.busy} onClick={() => void save.run()}>
              Save consultation
            </Button>
          </div>
        </>
      ) : null}
    </Card>
  );
}

const emptyPrior: PriorConsultation = {
  authority: '',
  submittedOn: null,
  reference: '',
  answer: '',
  answeredOn: null,
  extended: false,
};

/** Art. 36: the request to the authority, its answer, and the 8 + 6 week dates. */
export function PriorConsultationEditor({ assessment, editable, onSaved }: Props) {
  const { api } = useSignedIn();
  const prior = assessment.priorConsultation;
  const [record, setRecord] = useState<PriorConsultation>(prior.record ?? emptyPrior);
  const save = useAction(async () => {
    await api.patch(`/v1/assessments/${assessment.id}`, { priorConsultation: record });
    onSaved();
  });
  return (
    <Card title="Prior consultation of the supervisory authority (Art. 36)">
      <p>
        {prior.required
          ? 'Required: a residual risk remains high. The authority’s step is added to the approval chain.'
          : 'Not required: no residual risk remains high.'}
      </p>
      {prior.answerDue ? (
        <p>
          Answer due by <strong>{prior.answerDue}</strong> (8 weeks); <strong>{prior.extendedDue}</strong> if
          the authority extends by 6 weeks.
        </p>
      ) : null}
      <TextField
        label="Authority"
        disabled={!editable}
        value={record.authority}
        onChange={(event) => setRecord({ ...record, authority: event.target.value })}
      />
      <TextField
        label="Submitted on"
        type="date"
        disabled={!editable}
        value={record.submittedOn ?? ''}
        onChange={(event) => setRecord({ ...record, submittedOn: event.target.value || null })}
      />
      <TextField
        label="Reference"
        disabled={!editable}
        value={record.reference}
        onChange={(event) => setRecord({ ...record, reference: event.target.value })}
      />
      <TextAreaField
        label="The authority’s answer"
        disabled={!editable}
        value={record.answer}
        onChange={(event) => setRecord({ ...record, answer: event.target.value })}
      />
      <TextField
        label="Answered on"
        type="date"
        disabled={!editable}
        value={record.answeredOn ?? ''}
        onChange={(event) => setRecord({ ...record, answeredOn: event.target.value || null })}
      />
      <CheckboxField
        label="The authority extended its period by six weeks"
        disabled={!editable}
        checked={record.extended}
        onChange={(event) => setRecord({ ...record, extended: event.target.checked })}
      />
      {editable ? (
        <>
          <ErrorAlert error={save.error} />
          <div className="button-row">
            <Button busy={save.busy} onClick={() => void save.run()}>
              Save prior consultation
            </Button>
          </div>
        </>
      ) : null}
    </Card>
  );
}
