import { type ReactNode, useCallback, useMemo, useRef, useState } from 'react';
import { type ApiClient, ApiError, createApiClient } from './api';
import {
  type SessionDeadline,
  SignedInExpiryWarning,
  sameDeadline,
  sessionExpiredMessage,
} from './session-expiry';

/**
 * Why someone is back at sign-in. A session ended elsewhere (signed out everywhere, account disabled) says
 * so; anything else that answers 401 to a signed-in page — the idle or absolute timeout, or a cookie the
 * browser already dropped at its expiry — is an expired session.
 */
export function messageForLostSession(error: ApiError): string {
  return error.reason === 'session_invalid'
    ? 'Your session has ended. Sign in again to continue.'
    : sessionExpiredMessage;
}

export type SessionKitOptions = {
  /** Paths whose 401 answers the page itself (a wrong password), not a lost session. */
  quietPaths: readonly string[];
  /** The signed-in call that answers the current session (and, being one, moves its idle deadline). */
  sessionPath: string;
  /** The call that ends the session. */
  logoutPath: string;
  /** Whether someone is signed in now: the expiry warning shows only then. */
  signedIn: boolean;
  /** Back to sign-in, with the message the sign-in page shows (none after a plain sign-out). */
  onSignedOut: (message?: string) => void;
};

export type SessionKit = {
  /** One API client that sends the session's CSRF token and turns a lost session into `onSignedOut`. */
  api: ApiClient;
  /** Takes the CSRF token of a session just started or loaded. */
  takeCsrfToken: (token: string | undefined) => void;
  signOut: (message?: string) => Promise<void>;
  /** The session-expiry warning, to render inside the provider. */
  warning: ReactNode;
};

/**
 * The browser half of the session kit, shared by the console and the privacy center: the CSRF token, the
 * session's deadline as the server's answers report it, the expiry warning ("Stay signed in" makes the
 * session call; at the deadline the server is asked before giving up, since another tab may have kept the
 * session alive), sign-out, and the return to sign-in with the reason whenever the session is lost.
 */
export function useSessionKit(options: SessionKitOptions): SessionKit {
  const { quietPaths, sessionPath, logoutPath, signedIn } = options;
  const [deadline, setDeadline] = useState<SessionDeadline>();
  const csrf = useRef<string | undefined>(undefined);
  // The latest callback, so the one API client (made once) always reaches the provider's current state.
  const onSignedOut = useRef(options.onSignedOut);
  onSignedOut.current = options.onSignedOut;

  const lost = useCallback((message?: string) => {
    csrf.current = undefined;
    setDeadline(undefined);
    onSignedOut.current(message);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: one client for the provider's life; its paths are constants.
  const api = useMemo(
    () =>
      createApiClient({
        csrfToken: () => csrf.current,
        quietPaths,
        onUnauthenticated: (error) => lost(messageForLostSession(error)),
        // Every signed-in answer says when the session ends if left idle; the warning follows it.
        onSessionExpiry: (next) => setDeadline((current) => (sameDeadline(current, next) ? current : next)),
      }),
    [],
  );

  const takeCsrfToken = useCallback((token: string | undefined) => {
    csrf.current = token;
  }, []);

  const signOut = useCallback(
    async (message?: string) => {
      await api.post(logoutPath).catch(() => undefined);
      lost(message);
    },
    [api, logoutPath, lost],
  );

  /** "Stay signed in": any signed-in call moves the idle deadline; this one also says it did. */
  const stay = useCallback(async () => {
    try {
      await api.get(sessionPath);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) lost(messageForLostSession(error));
    }
  }, [api, sessionPath, lost]);

  /** The deadline has passed: unless another tab kept the session alive, back to sign-in with the reason. */
  const expired = useCallback(async () => {
    try {
      await api.get(sessionPath);
    } catch (error) {
      lost(
        error instanceof ApiError && error.status === 401
          ? messageForLostSession(error)
          : sessionExpiredMessage,
      );
    }
  }, [api, sessionPath, lost]);

  const warning = (
    <SignedInExpiryWarning
      signedIn={signedIn}
      deadline={deadline}
      onStay={stay}
      signOut={signOut}
      onExpired={expired}
    />
  );
  return { api, takeCsrfToken, signOut, warning };
}
