import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { useAction, useTitle } from '../../shared/hooks';
import { Alert, Button, Card, ErrorAlert, PageHeader, TextField } from '../../shared/ui';
import { useConfig, usePrivacy } from '../session';
import type { SubjectSession } from '../types';

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
      <ErrorAlert error={login.error} />
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
