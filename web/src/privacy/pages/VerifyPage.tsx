import { Link, useLocation } from 'react-router';
import { useTitle } from '../../shared/hooks';
import { Card, PageHeader } from '../../shared/ui';
import { ConfirmEmailForm } from '../ConfirmEmail';
import { useConfig } from '../session';

/**
 * Where someone who registered comes back to confirm their address: the address (prefilled when the
 * sign-in page sent them here, never taken from the URL) and the code from the e-mail.
 */
export function VerifyPage() {
  const config = useConfig();
  useTitle('Confirm your e-mail address', config.branding.name);
  const location = useLocation();
  const email = (location.state as { email?: string } | null)?.email;
  return (
    <div className="narrow">
      <PageHeader
        title="Confirm your e-mail address"
        description="Enter the code we e-mailed you when you registered, with the address you registered with."
      />
      <Card>
        <ConfirmEmailForm email={email} askForEmail />
      </Card>
      <p>
        Already confirmed? <Link to="/login">Sign in</Link>.
      </p>
    </div>
  );
}
