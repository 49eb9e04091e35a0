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
import { type ApiClient, ApiError } from '../shared/api';
import { contrastingText, readableOnWhite, shadeOf, tintOf } from '../shared/format';
import { useSessionKit } from '../shared/session-kit';
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

function globalPrivacyControl(): boolean {
  return (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
}

/** The data subject's session in the privacy center, and the branding and purposes it shows. */
export function PrivacyProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<PrivacyState>({ status: 'loading' });
  const config = useRef<PrivacyConfig | undefined>(undefined);
  const { api, takeCsrfToken, signOut, warning } = useSessionKit({
    quietPaths,
    sessionPath: '/v1/privacy/session',
    logoutPath: '/v1/privacy/logout',
    signedIn: state.status === 'signed-in',
    onSignedOut: (message) => {
      if (config.current) setState({ status: 'signed-out', config: config.current, message });
    },
  });

  useEffect(() => {
    (async () => {
      const loaded = await api.get<PrivacyConfig>('/v1/privacy/config');
      config.current = loaded;
      applyBranding(loaded);
      try {
        const session = await api.get<SubjectSession>('/v1/privacy/session');
        takeCsrfToken(session.csrfToken);
        setState({ status: 'signed-in', config: loaded, session });
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        setState({ status: 'signed-out', config: loaded });
      }
    })().catch((error: unknown) => setState({ status: 'unavailable', error }));
  }, [api, takeCsrfToken]);

  const started = useCallback(
    (session: SubjectSession) => {
      takeCsrfToken(session.csrfToken);
      if (config.current) setState({ status: 'signed-in', config: config.current, session });
    },
    [takeCsrfToken],
  );

  const value = useMemo(
    () => ({ state, api, gpc: globalPrivacyControl(), started, signOut }),
    [state, api, started, signOut],
  );
  return (
    <Context.Provider value={value}>
      {children}
      {warning}
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
