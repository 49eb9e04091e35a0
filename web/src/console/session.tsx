import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { type ApiClient, ApiError, createApiClient } from '../shared/api';
import {
  type SessionDeadline,
  SignedInExpiryWarning,
  sameDeadline,
  sessionExpiredMessage,
} from '../shared/session-expiry';
import type { ConsoleSettings, Me, NextStep } from './types';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; message?: string }
  | { status: 'mfa'; step: Exclude<NextStep, null> }
  | { status: 'signed-in'; me: Me; settings: ConsoleSettings };

type SessionContext = {
  state: SessionState;
  api: ApiClient;
  /** After a password login or an MFA step: take the new CSRF token and load who is signed in. */
  started: (session: { csrfToken: string; nextStep: NextStep }) => Promise<void>;
  /** Loads the session again (after an MFA step). */
  refresh: () => Promise<void>;
  signOut: (message?: string) => Promise<void>;
  can: (permission: string) => boolean;
};

const Context = createContext<SessionContext | null>(null);

/** Paths whose 401 answers the page itself (a wrong password), not a lost session. */
const quietPaths = [
  '/v1/auth/login',
  '/v1/auth/session',
  '/v1/setup/first-admin',
  '/v1/auth/invitations/accept',
];

/**
 * Why the operator is back at sign-in. A session ended elsewhere (signed out everywhere, disabled) says so;
 * anything else that answers 401 to a signed-in page — the idle or absolute timeout, or a cookie the
 * browser already dropped at its expiry — is an expired session.
 */
function messageForLostSession(error: ApiError): string {
  if (error.reason === 'session_invalid') return 'Your session has ended. Sign in again to continue.';
  return sessionExpiredMessage;
}

/**
 * The operator's session: who is signed in, their permissions and CSRF token, and one API client that
 * sends that token and turns a lost session (expired, ended elsewhere) into a calm return to sign-in.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [deadline, setDeadline] = useState<SessionDeadline>();
  const csrf = useRef<string | undefined>(undefined);

  const api = useMemo(
    () =>
      createApiClient({
        csrfToken: () => csrf.current,
        quietPaths,
        onUnauthenticated: (error) => {
          csrf.current = undefined;
          setDeadline(undefined);
          setState({ status: 'signed-out', message: messageForLostSession(error) });
        },
        // Every signed-in answer says when the session ends if left idle; the warning follows it.
        onSessionExpiry: (next) => setDeadline((current) => (sameDeadline(current, next) ? current : next)),
      }),
    [],
  );

  const refresh = useCallback(async () => {
    try {
      const me = await api.get<Me>('/v1/auth/session');
      csrf.current = me.session.csrfToken;
      if (me.session.nextStep) {
        setState({ status: 'mfa', step: me.session.nextStep });
        return;
      }
      const settings = await api.get<ConsoleSettings>('/v1/console/settings');
      setState({ status: 'signed-in', me, settings });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        const message = error.reason === 'session_expired' ? messageForLostSession(error) : undefined;
        setState({ status: 'signed-out', message });
        return;
      }
      throw error;
    }
  }, [api]);

  useEffect(() => {
    refresh().catch(() =>
      setState({ status: 'signed-out', message: 'The server could not be reached. Try again in a moment.' }),
    );
  }, [refresh]);

  const started = useCallback(
    async (session: { csrfToken: string; nextStep: NextStep }) => {
      csrf.current = session.csrfToken;
      if (session.nextStep) {
        setState({ status: 'mfa', step: session.nextStep });
        return;
      }
      await refresh();
    },
    [refresh],
  );

  const signOut = useCallback(
    async (message?: string) => {
      await api.post('/v1/auth/logout').catch(() => undefined);
      csrf.current = undefined;
      setDeadline(undefined);
      setState({ status: 'signed-out', message });
    },
    [api],
  );

  /** "Stay signed in": any signed-in call moves the idle deadline; this one also says it did. */
  const stay = useCallback(async () => {
    try {
      await api.get<Me>('/v1/auth/session');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        csrf.current = undefined;
        setDeadline(undefined);
        setState({ status: 'signed-out', message: messageForLostSession(error) });
      }
    }
  }, [api]);

  /**
   * The deadline has passed: unless another tab kept the session alive (the server then answers with a
   * new deadline), the operator is back at sign-in with the reason, and returns to this page afterwards.
   */
  const expired = useCallback(async () => {
    try {
      await api.get<Me>('/v1/auth/session');
    } catch (error) {
      csrf.current = undefined;
      setDeadline(undefined);
      const lost = error instanceof ApiError && error.status === 401;
      setState({
        status: 'signed-out',
        message: lost ? messageForLostSession(error) : sessionExpiredMessage,
      });
    }
  }, [api]);

  const can = useCallback(
    (permission: string) => state.status === 'signed-in' && state.me.permissions.includes(permission),
    [state],
  );

  const value = useMemo(
    () => ({ state, api, started, refresh, signOut, can }),
    [state, api, started, refresh, signOut, can],
  );
  return (
    <Context.Provider value={value}>
      {children}
      <SignedInExpiryWarning
        signedIn={state.status === 'signed-in'}
        deadline={deadline}
        onStay={stay}
        signOut={signOut}
        onExpired={expired}
      />
    </Context.Provider>
  );
}

export function useSession(): SessionContext {
  const context = useContext(Context);
  if (!context) throw new Error('useSession outside SessionProvider');
  return context;
}

/** The signed-in operator's session; only for pages behind the sign-in. */
export function useSignedIn() {
  const session = useSession();
  if (session.state.status !== 'signed-in') throw new Error('useSignedIn on a page for signed-out visitors');
  return { ...session, me: session.state.me, settings: session.state.settings };
}
