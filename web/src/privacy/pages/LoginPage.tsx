import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { ApiError } from '../../shared/api';
import { useAction, useTitle } from '../../shared/hooks';
import { Alert, Button, Card, ErrorAlert, PageHeader, TextField } from '../../shared/ui';
import { useConfig, usePrivacy } from '../session';
import type { RegistrationAccepted, SubjectSession } from '../types';

/**
 * Shown only when the password was right but the address is not confirmed yet (the server says so then
 * and only then): where to enter the code, and a new code on request.
 */
function ConfirmFirst({ email }: { email: string }) {
  const { api } = usePrivacy();
  const [resent, setResent] = useState<string>();
  const resend = useAction(async () => {
    setResent((await api.post<RegistrationAccepted>('/v1/privacy/verify/resend', { email })).message);
  });
  return (
    <Alert tone="error" title="Confirm your e-mail address first">
      <p>Enter the code we e-mailed you when you registered. If you cannot find it, we can send a new one.</p>
      <div className="button-row">
        <Link className="button button-primary" to="/verify" state={{ email }}>
          Enter the code
        </Link>
        <Button onClick={() => void resend.run()} busy={resend.busy}>
          Send a new code
        </Button>
      </div>
      {resent ? <p role="status">{resent}</p> : null}
      <ErrorAlert error={resend.error} />
    </Alert>
  );
}

export function LoginPage() {
  const { api, started, state, gpc } = usePrivacy();
  const config = useConfig();
  const location = useLocation();
  useTitle('Sign in', config.branding.name);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useAction(async () => {
    started(
      await api.post<SubjectSession>('/v1/privacy/login', { email, password, globalPrivacyControl: gpc }),
    );
  });
  const unconfirmed = login.error instanceof ApiError && login.error.reason === 'email_unverified';
  const notice =
    (location.state as { message?: string } | null)?.message ??
    (state.status === 'signed-out' ? state.message : undefined);

  function submit(event: FormEvent) {
    event.preventDefault();
    void login.run();
  }

  return (
    <div className="narrow">
      <PageHeader
        title="Sign in"
        description="To see your data, change your consents and follow your requests."
      />
      {notice && !login.error ? <Alert tone="info">{notice}</Alert> : null}
      {unconfirmed ? <ConfirmFirst email={email} /> : <ErrorAlert error={login.error} />}
      <Card>
        <form className="form" onSubmit={submit} noValidate>
          <TextField
            label="E-mail address"
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <TextField
            label="Password"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <Button type="submit" variant="primary" busy={login.busy}>
            Sign in
          </Button>
        </form>
      </Card>
      <p>
        No account yet? <Link to="/register">Create one</Link>.
      </p>
    </div>
  );
}
