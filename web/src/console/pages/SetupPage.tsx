import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../shared/api';
import { useAction } from '../../shared/hooks';
import { Alert, Button, ErrorAlert, TextField } from '../../shared/ui';
import { AuthLayout } from '../AuthLayout';
import { useSession } from '../session';

/** The one-time token from the link's fragment (`#token=…`), which never reaches a server log. */
function tokenFromHash(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
}

function PasswordField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (v: string) => void;
  error?: string;
}) {
  return (
    <TextField
      label="Password"
      type="password"
      name="new-password"
      autoComplete="new-password"
      required
      minLength={12}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      hint="At least 12 characters and hard to guess; a passphrase of several words works well."
      error={error}
    />
  );
}

/**
 * First start (`/console/setup#token=…`): create the first administrator; and an invitation
 * (`/console/invitation#token=…`): choose a password for the account an admin created.
 */
export function SetupPage({ kind }: { kind: 'setup' | 'invitation' }) {
  const { api } = useSession();
  const [token] = useState(tokenFromHash);
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const submitAction = useAction(async () => {
    if (kind === 'setup') {
      await api.post('/v1/setup/first-admin', { token, email, displayName, password });
    } else {
      await api.post('/v1/auth/invitations/accept', { token, password });
    }
    setDone(true);
  });
  const error = submitAction.error;
  const passwordError = error instanceof ApiError ? error.fieldError('password') : undefined;
  const title = kind === 'setup' ? 'Create the first administrator' : 'Accept your invitation';

  if (!token) {
    return (
      <AuthLayout title={title}>
        <Alert tone="error">
          This page needs the link with its token. Use the link exactly as you received it
          {kind === 'setup' ? ' (custos serve prints it at first start)' : ''}.
        </Alert>
      </AuthLayout>
    );
  }
  if (done) {
    return (
      <AuthLayout title={title}>
        <Alert tone="success" title="Your account is ready.">
          Sign in with your e-mail address and the password you chose; you will set up two-step verification
          next if your role needs it.
        </Alert>
        <Link className="button button-primary" to="/login">
          Go to sign-in
        </Link>
      </AuthLayout>
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void submitAction.run();
  }

  return (
    <AuthLayout
      title={title}
      description={
        kind === 'setup'
          ? 'No operator exists yet. This one-time link makes you the first administrator.'
          : 'Choose the password for your operator account.'
      }
    >
      <ErrorAlert error={error} />
      <form className="form" onSubmit={submit} noValidate>
        {kind === 'setup' ? (
          <>
            <TextField
              label="Your name"
              name="name"
              autoComplete="name"
              required
              value={displayName}
              onChange={(event) => setDisplayName(event.target.value)}
            />
            <TextField
              label="E-mail address"
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          </>
        ) : null}
        <PasswordField value={password} onChange={setPassword} error={passwordError} />
        <Button type="submit" variant="primary" busy={submitAction.busy}>
          {kind === 'setup' ? 'Create administrator' : 'Set password'}
        </Button>
      </form>
    </AuthLayout>
  );
}
