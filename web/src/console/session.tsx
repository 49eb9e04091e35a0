import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { type ApiClient, ApiError } from '../shared/api';
import { messageForLostSession, useSessionKit } from '../shared/session-kit';
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
 * The operator's session: who is signed in, their permissions and CSRF token, and one API client that
 * sends that token and turns a lost session (expired, ended elsewhere) into a calm return to sign-in.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const { api, takeCsrfToken, signOut, warning } = useSessionKit({
    quietPaths,
    sessionPath: '/v1/auth/session',
    logoutPath: '/v1/auth/logout',
    signedIn: state.status === 'signed-in',
    onSignedOut: (message) => setState({ status: 'signed-out', message }),
  });

  const refresh = useCallback(async () => {
    try {
      const me = await api.get<Me>('/v1/auth/session');
      takeCsrfToken(me.session.csrfToken);
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
  }, [api, takeCsrfToken]);

  useEffect(() => {
    refresh().catch(() =>
      setState({ status: 'signed-out', message: 'The server could not be reached. Try again in a moment.' }),
    );
  }, [refresh]);

  const started = useCallback(
    async (session: { csrfToken: string; nextStep: NextStep }) => {
      takeCsrfToken(session.csrfToken);
      if (session.nextStep) {
        setState({ status: 'mfa', step: session.nextStep });
        return;
      }
      await refresh();
    },
    [refresh, takeCsrfToken],
  );

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
      {warning}
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
