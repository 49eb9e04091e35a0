import type { ReactNode } from 'react';
import { useTitle } from '../shared/hooks';
import { PageHeader } from '../shared/ui';

/** The frame of sign-in, MFA and setup pages: one centred card. */
export function AuthLayout({
  title,
  description,
  children,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  useTitle(title, 'Custos console');
  return (
    <main className="auth-page" id="main">
      <div className="auth-card">
        <div className="auth-brand">
          <Logo />
          <span>Custos console</span>
        </div>
        <PageHeader title={title} description={description} />
        {children}
      </div>
    </main>
  );
}

export function Logo() {
  return (
    <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" fill="#1f4e8c" />
      <path d="M16 6l8 3v6c0 5-3.4 9.4-8 11-4.6-1.6-8-6-8-11V9z" fill="#ffffff" />
    </svg>
  );
}
