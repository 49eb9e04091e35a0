import { type FormEvent, useState } from 'react';
import { useAction, useLoad } from '../../shared/hooks';
import { Alert, Button, ErrorAlert, LoadState, TextField } from '../../shared/ui';
import { AuthLayout } from '../AuthLayout';
import { useSession } from '../session';
import type { SessionInfo } from '../types';

type Enrolment = { otpauthUri: string; qrCodeDataUrl: string; secretBase32: string };

/** The seed in groups of four, easier to type into an authenticator by hand. */
function grouped(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

function CodeField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <TextField
      label="Six-digit code"
      name="code"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      required
      value={value}
      onChange={(event) => onChange(event.target.value.replace(/\D/g, ''))}
      hint="From your authenticator app; a new code appears every 30 seconds."
    />
  );
}

function Enrol() {
  const { api, refresh, signOut } = useSession();
  const enrolment = useLoad(() => api.post<Enrolment>('/v1/auth/mfa/enroll'), [api]);
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();
  const confirm = useAction(async () => {
    const result = await api.post<{ session: SessionInfo; recoveryCodes: string[] }>('/v1/auth/mfa/confirm', {
      code,
    });
    setRecoveryCodes(result.recoveryCodes);
  });

  if (recoveryCodes) {
    return (
      <AuthLayout
        title="Save your recovery codes"
        description="Each code signs you in once if you lose your authenticator. They are shown only now."
      >
        <Alert tone="success">Two-step verification is on.</Alert>
        <ol className="codes" aria-label="Recovery codes">
          {recoveryCodes.map((recovery) => (
            <li key={recovery}>{recovery}</li>
          ))}
        </ol>
        <Button variant="primary" onClick={() => void refresh()}>
          I have saved them — continue
        </Button>
      </AuthLayout>
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void confirm.run();
  }

  return (
    <AuthLayout
      title="Set up two-step verification"
      description="Your role requires a code from an authenticator app (such as FreeOTP, Aegis or 1Password) at every sign-in."
    >
      <LoadState loaded={enrolment} label="Preparing your authenticator key…">
        {(data) => (
          <>
            <p>1. Scan this QR code with your authenticator app:</p>
            <img className="qr" src={data.qrCodeDataUrl} alt="QR code with your authenticator key" />
            <details>
              <summary>Cannot scan? Enter the key by hand</summary>
              <p>
                Key:{' '}
                <code className="mono" data-testid="mfa-secret">
                  {grouped(data.secretBase32)}
                </code>
              </p>
            </details>
            <p>2. Enter the code the app shows:</p>
            <ErrorAlert error={confirm.error} />
            <form className="form" onSubmit={submit} noValidate>
              <CodeField value={code} onChange={setCode} />
              <div className="button-row">
                <Button type="submit" variant="primary" busy={confirm.busy} disabled={code.length !== 6}>
                  Turn on
                </Button>
                <Button variant="ghost" onClick={() => void signOut()}>
                  Cancel and sign out
                </Button>
              </div>
            </form>
          </>
        )}
      </LoadState>
    </AuthLayout>
  );
}

function Verify() {
  const { api, refresh, signOut } = useSession();
  const [code, setCode] = useState('');
  const [recoveryCode, setRecoveryCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const verify = useAction(async () => {
    await api.post<SessionInfo>(
      '/v1/auth/mfa/verify',
      useRecovery ? { recoveryCode: recoveryCode.trim() } : { code },
    );
    await refresh();
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    void verify.run();
  }

  return (
    <AuthLayout title="Two-step verification" description="Enter the code from your authenticator app.">
      <ErrorAlert error={verify.error} />
      <form className="form" onSubmit={submit} noValidate>
        {useRecovery ? (
          <TextField
            label="Recovery code"
            name="recoveryCode"
            autoComplete="off"
            required
            value={recoveryCode}
            onChange={(event) => setRecoveryCode(event.target.value)}
            hint="One of the codes you saved when you set up two-step verification, like k7qm-2xwd-9fhp."
          />
        ) : (
          <CodeField value={code} onChange={setCode} />
        )}
        <div className="button-row">
          <Button type="submit" variant="primary" busy={verify.busy}>
            Verify
          </Button>
          <Button
            variant="ghost"
            onClick={() => {
              verify.clearError();
              setUseRecovery(!useRecovery);
            }}
          >
            {useRecovery ? 'Use an authenticator code' : 'Use a recovery code'}
          </Button>
          <Button variant="ghost" onClick={() => void signOut()}>
            Sign out
          </Button>
        </div>
      </form>
    </AuthLayout>
  );
}

/** The second sign-in step: enrol an authenticator first when the role requires one, else verify a code. */
export function MfaPage({ step }: { step: 'mfa_enroll' | 'mfa_verify' }) {
  return step === 'mfa_enroll' ? <Enrol /> : <Verify />;
}
