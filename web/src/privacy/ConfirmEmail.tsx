import { type FormEvent, useState } from 'react';
import { ApiError } from '../shared/api';
import { useAction } from '../shared/hooks';
import { Alert, Button, EmailAddressField, ErrorAlert, TextField } from '../shared/ui';
import { usePrivacy } from './session';
import type { RegistrationAccepted, SubjectSession } from './types';

const codeDigits = 8;

/**
 * The code that confirms a new account's e-mail address, and a way to ask for a new one. Both answers are
 * the server's: a failed code gets one message whatever went wrong, a new code one message whether or not
 * the address has a registration, so the page never tells more about an address than the server does.
 */
export function ConfirmEmailForm({
  email: initialEmail,
  askForEmail = false,
}: {
  /** The address the code went to. */
  email?: string | undefined;
  /** Show the address as a field (prefilled with `email`), for someone coming back later. */
  askForEmail?: boolean;
}) {
  const { api, started, gpc } = usePrivacy();
  const [email, setEmail] = useState(initialEmail ?? '');
  const [code, setCode] = useState('');
  const [resent, setResent] = useState<string>();
  const confirm = useAction(async () => {
    setResent(undefined);
    started(await api.post<SubjectSession>('/v1/privacy/verify', { email, code, globalPrivacyControl: gpc }));
  });
  const resend = useAction(async () => {
    confirm.clearError();
    const answer = await api.post<RegistrationAccepted>('/v1/privacy/verify/resend', { email });
    setCode('');
    setResent(answer.message);
  });
  const error = confirm.error instanceof ApiError ? confirm.error : undefined;
  const codeError =
    error?.fieldError('code') ??
    (error?.code === 'verification_failed' ? 'This code did not work.' : undefined);

  function submit(event: FormEvent) {
    event.preventDefault();
    void confirm.run();
  }

  return (
    <>
      <ErrorAlert error={confirm.error} title="Your address is not confirmed yet" />
      <ErrorAlert error={resend.error} title="No new code was sent" />
      {resent ? <Alert tone="success">{resent}</Alert> : null}
      <form className="form" onSubmit={submit} noValidate>
        {askForEmail ? (
          <EmailAddressField
            value={email}
            onChange={setEmail}
            error={error?.fieldError('email')}
            hint="The address you registered with."
          />
        ) : null}
        <TextField
          label="Confirmation code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          maxLength={codeDigits + 2}
          value={code}
          onChange={(event) => setCode(event.target.value.replace(/[^\d\s-]/g, ''))}
          error={codeError}
          hint={`${codeDigits} digits, from the e-mail we sent. It works for 24 hours after registering.`}
        />
        <div className="button-row">
          <Button type="submit" variant="primary" busy={confirm.busy}>
            Confirm and sign in
          </Button>
          <Button onClick={() => void resend.run()} busy={resend.busy}>
            Send a new code
          </Button>
        </div>
      </form>
    </>
  );
}
