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
import { contrastingText, readableOnWhite, shadeOf, tintOf } from '../shared/format';
import {
  type SessionDeadline,
  SignedInExpiryWarning,
  sameDeadline,
  sessionExpiredMessage,
} from '../shared/session-expiry';
import type { PrivacyConfig, SubjectSession } from './types';

export type PrivacyState =
  | { status: 'loading' }
  | { status: 'unavailable'; error: unknown }
  | { status: 'signed-out'; config: PrivacyConfig; message?: string }
  | { status: 'signed-in'; config: PrivacyConfig; session: SubjectSession };

type PrivacyContext = {
  state: PrivacyState;
  api: ApiClient;
  /** Global Privacy Control as the browser reports it. */
  gpc: boolean;
  started: (session: SubjectSession) => void;
  signOut: (message?: string) => Promise<void>;
};

const Context = createContext<PrivacyContext | null>(null);
const quietPaths = ['/v1/privacy/login', '/v1/privacy/session', '/v1/privacy/register'];

/** The organization's colour throughout, with text colours that keep their contrast on it. */
function applyBranding(config: PrivacyConfig) {
  const root = document.documentElement.style;
  const brand = config.branding.color;
  const readable = readableOnWhite(brand);
  root.setProperty('--brand', brand);
  root.setProperty('--on-brand', contrastingText(brand));
  root.setProperty('--accent', readable);
  root.setProperty('--accent-strong', shadeOf(readable, 0.2));
  root.setProperty('--accent-soft', tintOf(brand, 0.9));
  root.setProperty('--on-accent', contrastingText(readable));
}

/** Why the subject is back at sign-in: ended elsewhere, or (anything else on a signed-in page) expired. */
function messageForLostSession(error: ApiError): string {
  return error.reason === 'session_invalid'
    ? 'Your session has ended. Sign in again to continue.'
    : sessionExpiredMessage;
}

function globalPrivacyControl(): boolean {
  return (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
}

/** The data subject's session in the privacy center, and the branding and purposes it shows. */
export function PrivacyProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<PrivacyState>({ status: 'loading' });
  const [deadline, setDeadline] = useState<SessionDeadline>();
  const csrf = useRef<string | undefined>(undefined);
  const config = useRef<PrivacyConfig | undefined>(undefined);

  const api = useMemo(
    () =>
      createApiClient({
        csrfToken: () => csrf.current,
        quietPaths,
        onUnauthenticated: (error: ApiError) => {
          csrf.current = undefined;
          setDeadline(undefined);
          if (!config.current) return;
          setState({ status: 'signed-out', config: config.current, message: messageForLostSession(error) });
        },
        // Every signed-in answer says when the session ends if left idle; the warning follows it.
        onSessionExpiry: (next) => setDeadline((current) => (sameDeadline(current, next) ? current : next)),
      }),
    [],
  );

  useEffect(() => {
    (async () => {
      const loaded = await api.get<PrivacyConfig>('/v1/privacy/config');
      config.current = loaded;
      applyBranding(loaded);
      try {
        const session = await api.get<SubjectSession>('/v1/privacy/session');
        csrf.current = session.csrfToken;
        setState({ status: 'signed-in', config: loaded, session });
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        setState({ status: 'signed-out', config: loaded });
      }
    })().catch((error: unknown) => setState({ status: 'unavailable', error }));
  }, [api]);

  const started = useCallback((session: SubjectSession) => {
    csrf.current = session.csrfToken;
    if (config.current) setState({ status: 'signed-in', config: config.current, session });
  }, []);

  const signOut = useCallback(
    async (message?: string) => {
      await api.post('/v1/privacy/logout').catch(() => undefined);
      csrf.current = undefined;
      setDeadline(undefined);
      if (config.current) setState({ status: 'signed-out', config: config.current, message });
    },
    [api],
  );

  /** Back to sign-in with the reason; the page to return to is kept by the route guard. */
  const lost = useCallback((message: string) => {
    csrf.current = undefined;
    setDeadline(undefined);
    if (config.current) setState({ status: 'signed-out', config: config.current, message });
  }, []);

  /** "Stay signed in": any signed-in call moves the idle deadline; this one also says it did. */
  const stay = useCallback(async () => {
    try {
      await api.get<SubjectSession>('/v1/privacy/session');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) lost(messageForLostSession(error));
    }
  }, [api, lost]);

  /** The deadline has passed: unless another tab kept the session alive, back to sign-in. */
  const expired = useCallback(async () => {
    try {
      await api.get<SubjectSession>('/v1/privacy/session');
    } catch (error) {
      lost(
        error instanceof ApiError && error.status === 401
          ? messageForLostSession(error)
          : sessionExpiredMessage,
      );
    }
  }, [api, lost]);

  const value = useMemo(
    () => ({ state, api, gpc: globalPrivacyControl(), started, signOut }),
    [state, api, started, signOut],
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

export function usePrivacy(): PrivacyContext {
  const context = useContext(Context);
  if (!context) throw new Error('usePrivacy outside PrivacyProvider');
  return context;
}

/** The configuration, on any page once it has loaded. */
export function useConfig(): PrivacyConfig {
  const { state } = usePrivacy();
  if (state.status === 'signed-in' || state.status === 'signed-out') return state.config;
  throw new Error('useConfig before the configuration loaded');
}
