import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { Button } from './ui';

/** How long before the session ends the warning appears. */
export const warningLeadMs = 2 * 60_000;

const expiryGraceMs = 1000;

/** When the session ends: idle deadline (moved by every signed-in call) and the absolute end. */
export type SessionDeadline = { idleExpiresAt: number; expiresAt: number };

/** Whether two deadlines agree to the second (answers moments apart count down to the same instant). */
export function sameDeadline(a: SessionDeadline | undefined, b: SessionDeadline): boolean {
  return (
    a !== undefined &&
    Math.abs(a.idleExpiresAt - b.idleExpiresAt) < 1500 &&
    Math.abs(a.expiresAt - b.expiresAt) < 1500
  );
}

/** The message the sign-in page shows after a session ran out. */
export const sessionExpiredMessage = 'Your session expired, please sign in again.';

/** `m:ss`, as a countdown reads. */
function countdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function spokenDuration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.round(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The current time, once a second (the clock the warning and the countdown follow). */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    // A tab woken from sleep or brought back to the front looks at the clock at once.
    const wake = () => setNow(Date.now());
    document.addEventListener('visibilitychange', wake);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', wake);
    };
  }, []);
  return now;
}

/**
 * Warns a couple of minutes before the session ends, as a modal alert dialog: "Stay signed in" makes a
 * signed-in call (which moves the idle deadline), "Sign out" ends it. At the deadline `onExpired` runs (it
 * confirms with the server, since another tab may have kept the session alive). When the session reaches
 * its absolute end no call can extend it, so the warning only says when.
 */
export function SessionExpiryWarning({
  deadline,
  onStay,
  onSignOut,
  onExpired,
}: {
  deadline: SessionDeadline;
  onStay: () => Promise<unknown>;
  onSignOut: () => Promise<unknown>;
  onExpired: () => Promise<unknown>;
}) {
  const now = useNow();
  const ends = Math.min(deadline.idleExpiresAt, deadline.expiresAt);
  const absolute = deadline.expiresAt <= deadline.idleExpiresAt;
  const left = ends - now;
  const [dismissedFor, setDismissedFor] = useState<number>();
  const [busy, setBusy] = useState(false);
  const expiring = useRef<number | undefined>(undefined);
  const open = left <= warningLeadMs && left > 0 && dismissedFor !== ends;

  useEffect(() => {
    // A second's grace: asking before the server's deadline would itself keep the session alive.
    if (left > -expiryGraceMs || expiring.current === ends) return;
    expiring.current = ends;
    void onExpired();
  }, [left, ends, onExpired]);

  async function stay() {
    setBusy(true);
    try {
      await onStay();
    } finally {
      setBusy(false);
    }
  }

  if (!open) return null;
  return (
    <ExpiryDialog
      title={absolute ? 'Your session is about to reach its time limit' : 'Your session is about to expire'}
      description={
        absolute
          ? `For your security, sessions last a limited time. Yours ends in ${spokenDuration(left)}; save your work, then sign in again.`
          : `You have been inactive for a while. For your security, your session ends in ${spokenDuration(left)} unless you stay signed in.`
      }
      left={left}
    >
      {absolute ? (
        <Button variant="primary" data-autofocus onClick={() => setDismissedFor(ends)}>
          OK
        </Button>
      ) : (
        <>
          <Button variant="primary" data-autofocus busy={busy} onClick={() => void stay()}>
            Stay signed in
          </Button>
          <Button onClick={() => void onSignOut()}>Sign out</Button>
        </>
      )}
    </ExpiryDialog>
  );
}

/**
 * The expiry warning of a provider's session: shown only while signed in with a known deadline; its "Sign out"
 * tells the sign-in page that the visitor signed out.
 */
export function SignedInExpiryWarning({
  signedIn,
  deadline,
  onStay,
  signOut,
  onExpired,
}: {
  signedIn: boolean;
  deadline: SessionDeadline | undefined;
  onStay: () => Promise<unknown>;
  signOut: (message: string) => Promise<unknown>;
  onExpired: () => Promise<unknown>;
}) {
  if (!signedIn || !deadline) return null;
  return (
    <SessionExpiryWarning
      deadline={deadline}
      onStay={onStay}
      onSignOut={() => signOut('You have signed out.')}
      onExpired={onExpired}
    />
  );
}

/** The modal `alertdialog`: focus moves to its first action and returns where it was when it closes. */
function ExpiryDialog({
  title,
  description,
  left,
  children,
}: {
  title: string;
  description: string;
  left: number;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog session-expiry"
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
      // Escape must not hide the warning: the session would still end.
      onCancel={(event) => event.preventDefault()}
    >
      <div className="dialog-body">
        <h2 id={titleId}>{title}</h2>
        <p id={descriptionId}>{description}</p>
        <p className="session-countdown" aria-hidden="true">
          {countdown(left)}
        </p>
        <div className="dialog-footer">{children}</div>
      </div>
    </dialog>
  );
}
