import { type FormEvent, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../shared/api';
import type { Schemas } from '../../shared/api-types';
import { formatDate } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Alert,
  Button,
  Card,
  CheckboxField,
  ErrorAlert,
  LoadState,
  PageHeader,
  TextField,
} from '../../shared/ui';
import { useConfig, usePrivacy } from '../session';

/** A Data Rights Protocol request waiting for the consumer, as `GET /v1/privacy/verifications/{id}` tells. */
type Verification = Schemas['DrpVerification'];

const exerciseLabels: Record<Verification['exercise'], string> = {
  access: 'see the personal information we hold about you',
  'access:categories': 'learn which categories of personal information we hold about you',
  'access:specific': 'see the specific personal information we hold about you',
  deletion: 'delete your personal information',
  'sale:opt-out': 'stop the sale and sharing of your personal information',
  'sale:opt-in': 'opt in to the sale and sharing of your personal information',
};

function Done({ verification }: { verification: Verification }) {
  const optedIn = verification.confirmsOptIn && verification.state === 'fulfilled';
  return (
    <Alert tone="success" title={optedIn ? 'You have opted in' : 'Thank you: it is you'}>
      {optedIn
        ? 'We have recorded your choice. You can opt out again at any time.'
        : 'Your identity is confirmed, and we are working on your request. Your agent will keep you informed.'}
      {verification.redirectTo ? (
        <p>
          <a href={verification.redirectTo}>Return to {verification.agentName}</a>
        </p>
      ) : null}
    </Alert>
  );
}

function Steps({
  verification,
  onDone,
}: {
  verification: Verification;
  onDone: (next: Verification) => void;
}) {
  const { api } = usePrivacy();
  const [sentUntil, setSentUntil] = useState<string>();
  const [code, setCode] = useState('');
  const [optIn, setOptIn] = useState(false);
  const base = `/v1/privacy/verifications/${encodeURIComponent(useParams().verificationId ?? '')}`;
  const send = useAction(async () => {
    const sent = await api.post<{ codeExpiresAt: string }>(`${base}/code`, {
      requestId: verification.requestId,
    });
    setSentUntil(sent.codeExpiresAt);
  });
  const confirm = useAction(async () => {
    const next = await api.post<Verification>(`${base}/confirm`, {
      requestId: verification.requestId,
      code,
      ...(verification.confirmsOptIn ? { confirmOptIn: optIn } : {}),
    });
    // The agent's redirect_to, as checked when the page loaded.
    const { redirectTo } = verification;
    onDone({ ...next, redirectTo });
    // Back to the agent only once verified (DRP §3.02.1), never after a failure or a cancel.
    if (redirectTo) window.location.assign(redirectTo);
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    void confirm.run();
  }

  return (
    <>
      <Card title="1. Get a code">
        <p>
          We e-mail a six-digit code to {verification.contact ?? 'the address your agent gave us'}. It works
          for 15 minutes.
        </p>
        <ErrorAlert error={send.error} />
        {sentUntil ? <Alert tone="info">Code sent. Check your inbox (and your spam folder).</Alert> : null}
        <Button
          variant={sentUntil ? 'secondary' : 'primary'}
          busy={send.busy}
          onClick={() => void send.run()}
        >
          {sentUntil ? 'Send a new code' : 'E-mail me a code'}
        </Button>
      </Card>
      <Card title="2. Enter it">
        <ErrorAlert error={confirm.error} />
        <form className="form" onSubmit={submit} noValidate>
          <TextField
            label="Code from the e-mail"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
          {verification.confirmsOptIn ? (
            <CheckboxField
              label="Yes, I want to opt in to the sale and sharing of my personal information."
              hint="You asked your agent to opt you in; the law asks you to confirm it here yourself."
              checked={optIn}
              onChange={(event) => setOptIn(event.target.checked)}
            />
          ) : null}
          <Button
            type="submit"
            variant="primary"
            busy={confirm.busy}
            disabled={!code || (verification.confirmsOptIn && !optIn)}
          >
            {verification.confirmsOptIn ? 'Confirm and opt in' : 'Confirm it is me'}
          </Button>
        </form>
      </Card>
    </>
  );
}

function Body({
  verification,
  onDone,
}: {
  verification: Verification;
  onDone: (next: Verification) => void;
}) {
  if (verification.state === 'verified' || verification.state === 'fulfilled') {
    return <Done verification={verification} />;
  }
  if (verification.state === 'expired') {
    return (
      <Alert tone="warning" title="This link has expired">
        The time to confirm this request ended on {formatDate(verification.expiresAt)}. Ask{' '}
        {verification.agentName} to send the request again.
      </Alert>
    );
  }
  if (verification.state === 'closed') {
    return <Alert tone="info">This request is closed; there is nothing to confirm any more.</Alert>;
  }
  return <Steps verification={verification} onDone={onDone} />;
}

/**
 * The page at a Data Rights Protocol request's `user_verification_url` (§3.02.1): the consumer proves
 * who they are with a code e-mailed to them, and confirms an opt-in. The agent adds `request_id` (checked
 * against the request behind the link) and `redirect_to` (followed only after success).
 */
export function DrpVerifyPage() {
  const { api } = usePrivacy();
  const config = useConfig();
  useTitle('Confirm your request', config.branding.name);
  const { verificationId = '' } = useParams();
  const [search] = useSearchParams();
  const requestId = search.get('request_id') ?? '';
  const redirectTo = search.get('redirect_to') ?? undefined;
  const [confirmed, setConfirmed] = useState<Verification>();
  const loaded = useLoad(async () => {
    if (!requestId)
      throw new ApiError(400, { detail: 'This link is incomplete: open the link your agent gave you.' });
    return api.get<Verification>(`/v1/privacy/verifications/${encodeURIComponent(verificationId)}`, {
      requestId,
      redirectTo,
    });
  }, [api, verificationId, requestId, redirectTo]);

  return (
    <div className="narrow">
      <PageHeader
        title="Confirm your request"
        description={
          loaded.data
            ? `${loaded.data.agentName} asked us on your behalf to ${exerciseLabels[loaded.data.exercise] ?? loaded.data.exercise}. Before we act on it, please confirm that it is you.`
            : undefined
        }
      />
      <LoadState loaded={loaded} label="Loading your request…">
        {(verification) => <Body verification={confirmed ?? verification} onDone={setConfirmed} />}
      </LoadState>
    </div>
  );
}
