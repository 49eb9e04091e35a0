import type { ReactNode } from 'react';
import { Link, NavLink } from 'react-router';
import { Button } from '../shared/ui';
import { useConfig, usePrivacy } from './session';

function Brand() {
  const { branding } = useConfig();
  return (
    <Link to="/" className="brand">
      {branding.logoUrl ? <img src={branding.logoUrl} alt="" className="brand-logo" /> : null}
      <span>
        <span className="brand-name">{branding.name}</span>
        <span className="brand-sub">Privacy center</span>
      </span>
    </Link>
  );
}

/** Header with the organization's name, colour and logo; the account tabs once signed in; the footer. */
export function Layout({ children }: { children: ReactNode }) {
  const { state, signOut } = usePrivacy();
  const { branding } = useConfig();
  const signedIn = state.status === 'signed-in';
  return (
    <div className="privacy">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="privacy-header">
        <div className="privacy-header-inner">
          <Brand />
          <div className="button-row">
            {signedIn ? (
              <Button variant="secondary" onClick={() => void signOut('You have signed out.')}>
                Sign out
              </Button>
            ) : (
              <>
                <Link className="button button-ghost" to="/login">
                  Sign in
                </Link>
                <Link className="button button-primary" to="/register">
                  Create an account
                </Link>
              </>
            )}
          </div>
        </div>
        {signedIn ? (
          <nav className="tabs" aria-label="Your account">
            <NavLink to="/account" end>
              My data
            </NavLink>
            <NavLink to="/account/consents">Consents</NavLink>
            <NavLink to="/account/requests">Requests</NavLink>
          </nav>
        ) : null}
      </header>
      <main id="main" className="privacy-main">
        {children}
      </main>
      <footer className="privacy-footer">
        <p>
          {branding.name} keeps your personal data encrypted and records every use of it.
          {branding.privacyPolicyUrl ? (
            <>
              {' '}
              Read our <a href={branding.privacyPolicyUrl}>privacy policy</a>.
            </>
          ) : null}
        </p>
      </footer>
    </div>
  );
}
