import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { Alert, ErrorAlert, Loading, PageHeader } from '../shared/ui';
import { Layout } from './Layout';
import { ConsentsPage } from './pages/ConsentsPage';
import { DrpVerifyPage } from './pages/DrpVerifyPage';
import { HomePage } from './pages/HomePage';
import { LoginPage } from './pages/LoginPage';
import { MyDataPage } from './pages/MyDataPage';
import { RegisterPage } from './pages/RegisterPage';
import { RequestsPage } from './pages/RequestsPage';
import { VerifyPage } from './pages/VerifyPage';
import { PrivacyProvider, usePrivacy } from './session';

function SignedIn({ children }: { children: ReactNode }) {
  const { state } = usePrivacy();
  const location = useLocation();
  if (state.status !== 'signed-in') {
    const message = state.status === 'signed-out' ? state.message : undefined;
    const from = `${location.pathname}${location.search}`;
    return <Navigate to="/login" replace state={{ from, message }} />;
  }
  return <>{children}</>;
}

function SignedOut({ children }: { children: ReactNode }) {
  const { state } = usePrivacy();
  const location = useLocation();
  if (state.status === 'signed-in') {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from?.startsWith('/account') ? from : '/account'} replace />;
  }
  return <>{children}</>;
}

function Routed() {
  const { state } = usePrivacy();
  if (state.status === 'loading') {
    return (
      <main className="auth-page" id="main">
        <Loading label="Loading the privacy center…" />
      </main>
    );
  }
  if (state.status === 'unavailable') {
    return (
      <main className="auth-page" id="main">
        <div className="auth-card">
          <PageHeader title="Privacy center unavailable" />
          <ErrorAlert error={state.error} />
          <p>Please try again in a few minutes.</p>
        </div>
      </main>
    );
  }
  return (
    <Layout>
      <Routes>
        <Route
          path="/"
          element={state.status === 'signed-in' ? <Navigate to="/account" replace /> : <HomePage />}
        />
        <Route
          path="/register"
          element={
            <SignedOut>
              <RegisterPage />
            </SignedOut>
          }
        />
        <Route
          path="/verify"
          element={
            <SignedOut>
              <VerifyPage />
            </SignedOut>
          }
        />
        {/* A Data Rights Protocol request's user_verification_url: signed in or not. */}
        <Route path="/verify/:verificationId" element={<DrpVerifyPage />} />
        <Route
          path="/login"
          element={
            <SignedOut>
              <LoginPage />
            </SignedOut>
          }
        />
        <Route
          path="/account"
          element={
            <SignedIn>
              <MyDataPage />
            </SignedIn>
          }
        />
        <Route
          path="/account/consents"
          element={
            <SignedIn>
              <ConsentsPage />
            </SignedIn>
          }
        />
        <Route
          path="/account/requests"
          element={
            <SignedIn>
              <RequestsPage />
            </SignedIn>
          }
        />
        <Route
          path="*"
          element={
            <>
              <PageHeader title="Page not found" />
              <Alert tone="info">There is no page at this address.</Alert>
            </>
          }
        />
      </Routes>
    </Layout>
  );
}

export function App() {
  return (
    <BrowserRouter basename="/privacy">
      <PrivacyProvider>
        <Routed />
      </PrivacyProvider>
    </BrowserRouter>
  );
}
