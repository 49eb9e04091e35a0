import { Badge, TableWrap } from '../../shared/ui';
import { type Risk, riskKindLabels } from './assessment-types';

const scale = [1, 2, 3, 4];
const levelOf = (likelihood: number, severity: number) =>
  likelihood * severity >= 8 ? 'high' : likelihood * severity >= 4 ? 'medium' : 'low';

/**
 * The likelihood × severity grid: rows from likelihood 4 down, columns severity 1 to 4, each cell naming
 * the risks in it (R1, R2…). It is a real table with headers, so it reads on a phone and to a screen
 * reader; the list below says the same in words.
 */
export function RiskMatrix({ risks, residual }: { risks: Risk[]; residual: boolean }) {
  const title = residual ? 'Residual risk' : 'Inherent risk';
  const at = (risk: Risk) =>
    residual ? [risk.residualLikelihood, risk.residualSeverity] : [risk.likelihood, risk.severity];
  return (
    <div className="risk-matrix">
      <TableWrap label={`${title} matrix`}>
        <table>
          <caption>{title}: likelihood (rows) × severity (columns)</caption>
          <thead>
            <tr>
              <th scope="col">Likelihood</th>
              {scale.map((severity) => (
                <th scope="col" key={severity}>
                  Severity {severity}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[...scale].reverse().map((likelihood) => (
              <tr key={likelihood}>
                <th scope="row">{likelihood}</th>
                {scale.map((severity) => {
                  const inCell = risks
                    .map((risk, index) => ({ risk, label: `R${index + 1}` }))
                    .filter(({ risk }) => {
                      const [l, s] = at(risk);
                      return l === likelihood && s === severity;
                    });
                  return (
                    <td key={severity} className={`risk-cell risk-${levelOf(likelihood, severity)}`}>
                      {inCell.map(({ label }) => label).join(', ')}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </div>
  );
}

/** The register as a table: inherent and residual scores with their levels. */
export function RiskTable({ risks }: { risks: Risk[] }) {
  return (
    <TableWrap label="Risk register">
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Risk</th>
            <th scope="col">Inherent</th>
            <th scope="col">Residual</th>
            <th scope="col">Mitigations</th>
          </tr>
        </thead>
        <tbody>
          {risks.map((risk, index) => (
            <tr key={risk.id ?? index}>
              <td>R{index + 1}</td>
              <td>
                {risk.title} <span className="muted">({riskKindLabels[risk.kind]})</span>
              </td>
              <td>
                {risk.likelihood ?? '–'} × {risk.severity ?? '–'}{' '}
                {risk.inherentLevel ? (
                  <Badge tone={tone(risk.inherentLevel)}>{risk.inherentLevel}</Badge>
                ) : null}
              </td>
              <td>
                {risk.residualLikelihood ?? '–'} × {risk.residualSeverity ?? '–'}{' '}
                {risk.residualLevel ? (
                  <Badge tone={tone(risk.residualLevel)}>{risk.residualLevel}</Badge>
                ) : null}
              </td>
              <td>{risk.mitigations.map((m) => m.title).join('; ') || 'None'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

const tone = (level: string) => (level === 'high' ? 'danger' : level === 'medium' ? 'warning' : 'success');
