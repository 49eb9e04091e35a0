import { Link } from 'react-router';
import { label, legalBasisLabels, requestTypeExplanations, requestTypeLabels } from '../../shared/format';
import { useTitle } from '../../shared/hooks';
import { Card, PageHeader } from '../../shared/ui';
import { useConfig } from '../session';

/** What the privacy center is for, what the organization does with data and on which basis. */
export function HomePage() {
  const config = useConfig();
  useTitle('Privacy center', config.branding.name);
  return (
    <>
      <div className="hero">
        <PageHeader
          title={`Your privacy at ${config.branding.name}`}
          description="See the personal data we hold about you, download it, decide what we may use it for, and exercise your rights."
        />
        <div className="button-row">
          <Link className="button button-primary" to="/register">
            Create an account
          </Link>
          <Link className="button button-secondary" to="/login">
            Sign in
          </Link>
        </div>
      </div>
      <div className="grid">
        <Card title="What we use personal data for">
          {config.purposes.length === 0 ? (
            <p>We have not published any purposes yet.</p>
          ) : (
            <ul className="list">
              {config.purposes.map((purpose) => (
                <li key={purpose.key}>
                  <strong>{purpose.name}</strong>
                  <span className="purpose-meta"> · {label(legalBasisLabels, purpose.legalBasis)}</span>
                  <p>{purpose.text}</p>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Your rights">
          <ul className="list">
            {config.requestTypes.map((type) => (
              <li key={type}>
                <strong>{label(requestTypeLabels, type)}</strong>
                <p>{requestTypeExplanations[type]}</p>
              </li>
            ))}
            <li>
              <strong>Portability</strong>
              <p>{requestTypeExplanations.portability}</p>
            </li>
          </ul>
        </Card>
      </div>
    </>
  );
}
