import { type FormEvent, useState } from 'react';
import { useLocation } from 'react-router';
import { useAction } from '../../shared/hooks';
import { Alert, Button, ErrorAlert, TextField } from '../../shared/ui';
import { AuthLayout } from '../AuthLayout';
import { useSession } from '../session';
import type { SessionInfo } from '../types';

/** E-mail and password; MFA, when the operator has or needs it, follows on its own page. */
export function LoginPage() {
  const { api, started, state } = useSession();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useAction(async () => {
    const session = await api.post<SessionInfo>('/v1/auth/login', { email, password });
    await started(session);
  });
  const notice =
    (location.state as { message?: string } | null)?.message ??
    (state.status === 'signed-out' ? state.message : undefined);
  const error = login.error;

  function submit(event: FormEvent) {
    event.preventDefault();
    void login.run();
  }

  return (
    <AuthLayout title="Sign in" description="For the privacy team: requests, subjects, consent and audit.">
      {notice && !error ? <Alert tone="info">{notice}</Alert> : null}
      <ErrorAlert error={error} />
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
    </AuthLayout>
  );
}
