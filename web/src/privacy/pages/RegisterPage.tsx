import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../shared/api';
import { label, legalBasisLabels } from '../../shared/format';
import { useAction, useTitle } from '../../shared/hooks';
import {
  Alert,
  Button,
  Card,
  CheckboxField,
  EmailAddressField,
  ErrorAlert,
  PageHeader,
  TextField,
} from '../../shared/ui';
import { ConfirmEmailForm } from '../ConfirmEmail';
import { useConfig, usePrivacy } from '../session';
import type { PublicPurpose, RegistrationAccepted } from '../types';

function isSaleOrSharing(purpose: PublicPurpose): boolean {
  return purpose.ccpa.sale || purpose.ccpa.sharing;
}

function PurposeNotice({ purpose, gpc }: { purpose: PublicPurpose; gpc: boolean }) {
  return (
    <>
      <p>{purpose.text}</p>
      <p className="purpose-meta">
        Legal basis: {label(legalBasisLabels, purpose.legalBasis)}
        {isSaleOrSharing(purpose) ? ' · involves selling or sharing your data with third parties' : ''}
        {isSaleOrSharing(purpose) && gpc ? ' · your browser’s Global Privacy Control says no to this' : ''}
      </p>
    </>
  );
}

/**
 * After registering: the server's message (the same whether or not the address had an account) and the
 * form for the code it e-mailed. Its own page, so that its heading takes focus.
 */
function CheckYourEmail({ email, message, onBack }: { email: string; message: string; onBack: () => void }) {
  const config = useConfig();
  useTitle('Check your e-mail', config.branding.name);
  return (
    <div className="narrow">
      <PageHeader title="Check your e-mail" description={`We are sending a message to ${email}.`} />
      <Alert tone="info">{message}</Alert>
      <Card title="Confirm your e-mail address">
        <ConfirmEmailForm email={email} />
      </Card>
      <p>
        Not the right address?{' '}
        <Button variant="ghost" onClick={onBack}>
          Change it
        </Button>
      </p>
      <p>
        Already have an account? <Link to="/login">Sign in</Link>.
      </p>
    </div>
  );
}

/**
 * Registration with a free, specific choice per purpose based on consent: every box starts unticked, each
 * shows the purpose's own text and legal basis, and an unticked box is recorded as declined. The account
 * opens once the code e-mailed to the address is entered.
 */
export function RegisterPage() {
  const { api, gpc } = usePrivacy();
  const config = useConfig();
  useTitle('Create an account', config.branding.name);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [granted, setGranted] = useState<Record<string, boolean>>({});
  const [accepted, setAccepted] = useState<{ email: string; message: string }>();
  const consentPurposes = config.purposes.filter((purpose) => purpose.consentRequired);
  const otherPurposes = config.purposes.filter((purpose) => !purpose.consentRequired);
  const register = useAction(async () => {
    const answer = await api.post<RegistrationAccepted>('/v1/privacy/register', {
      name,
      email,
      password,
      consents: consentPurposes.map((purpose) => ({
        purpose: purpose.key,
        version: purpose.version,
        granted: granted[purpose.key] === true,
      })),
      globalPrivacyControl: gpc,
    });
    // The password has done its work; it should not linger in the page.
    setPassword('');
    setAccepted({ email, message: answer.message });
  });
  const error = register.error instanceof ApiError ? register.error : undefined;

  function submit(event: FormEvent) {
    event.preventDefault();
    void register.run();
  }

  if (accepted) {
    return <CheckYourEmail {...accepted} onBack={() => setAccepted(undefined)} />;
  }

  return (
    <div className="narrow">
      <PageHeader
        title="Create an account"
        description={`See and manage the personal data ${config.branding.name} holds about you.`}
      />
      {gpc ? (
        <Alert tone="info" title="Global Privacy Control is on">
          Your browser asks us not to sell or share your personal data. We honour that: purposes that sell or
          share data stay off unless you tick them yourself.
        </Alert>
      ) : null}
      <ErrorAlert error={register.error} />
      <form className="form form-wide" onSubmit={submit} noValidate>
        <Card title="About you">
          <div className="form">
            <TextField
              label="Your name"
              name="name"
              autoComplete="name"
              required
              maxLength={100}
              value={name}
              onChange={(event) => setName(event.target.value)}
              error={error?.fieldError('name')}
            />
            <EmailAddressField
              value={email}
              onChange={setEmail}
              error={error?.fieldError('email')}
              hint="You sign in with it; notices about your requests go there."
            />
            <TextField
              label="Password"
              type="password"
              name="new-password"
              autoComplete="new-password"
              required
              minLength={config.passwordMinLength}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              error={error?.fieldError('password')}
              hint={`At least ${config.passwordMinLength} characters and hard to guess; several words work well.`}
            />
          </div>
        </Card>
        {consentPurposes.length > 0 ? (
          <Card title="Your choices">
            <fieldset>
              <legend>What may we do with your data? Tick only what you agree to.</legend>
              {consentPurposes.map((purpose) => (
                <div key={purpose.key} className="purpose-choice">
                  <CheckboxField
                    label={purpose.name}
                    name={`consent-${purpose.key}`}
                    checked={granted[purpose.key] === true}
                    onChange={(event) => setGranted({ ...granted, [purpose.key]: event.target.checked })}
                    hint={<PurposeNotice purpose={purpose} gpc={gpc} />}
                  />
                </div>
              ))}
              <p className="field-hint">
                Saying no changes nothing about your account. You can change every choice later, as easily.
              </p>
            </fieldset>
          </Card>
        ) : null}
        {otherPurposes.length > 0 ? (
          <Card title="What we do without asking">
            <p>
              The law lets us use your data for these purposes without your consent; you may object to some
              later.
            </p>
            <ul className="list">
              {otherPurposes.map((purpose) => (
                <li key={purpose.key}>
                  <strong>{purpose.name}</strong>
                  <PurposeNotice purpose={purpose} gpc={gpc} />
                </li>
              ))}
            </ul>
          </Card>
        ) : null}
        {config.branding.privacyPolicyUrl ? (
          <p>
            How we handle your data is described in our{' '}
            <a href={config.branding.privacyPolicyUrl}>privacy policy</a>.
          </p>
        ) : null}
        <div className="button-row">
          <Button type="submit" variant="primary" busy={register.busy}>
            Create account
          </Button>
          <Link to="/login">I have an account</Link>
        </div>
      </form>
    </div>
  );
}
