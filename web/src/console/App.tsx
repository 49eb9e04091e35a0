import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import { Alert, Loading, PageHeader } from '../shared/ui';
import { AssessmentDetailPage } from './assessments/AssessmentDetailPage';
import { AssessmentsPage } from './assessments/AssessmentsPage';
import { AccountabilityPage } from './pages/AccountabilityPage';
import { AlertsPage } from './pages/AlertsPage';
import { ApiKeysPage } from './pages/ApiKeysPage';
import { AuditPage } from './pages/AuditPage';
import { BreachDetailPage } from './pages/BreachDetailPage';
import { BreachesPage } from './pages/BreachesPage';
import { CollectionsPage } from './pages/CollectionsPage';
import { ConsentPage } from './pages/ConsentPage';
import { DashboardPage } from './pages/DashboardPage';
import { DataMapPage } from './pages/DataMapPage';
import { KeysPage } from './pages/KeysPage';
import { LoginPage } from './pages/LoginPage';
import { MfaPage } from './pages/MfaPage';
import { MinimizationPage } from './pages/MinimizationPage';
import { MonitoringPage } from './pages/MonitoringPage';
import { OperatorsPage } from './pages/OperatorsPage';
import { OutboxPage } from './pages/OutboxPage';
import { ReportsPage } from './pages/ReportsPage';
import { RequestDetailPage } from './pages/RequestDetailPage';
import { RequestsPage } from './pages/RequestsPage';
import { RetentionPage } from './pages/RetentionPage';
import { SetupPage } from './pages/SetupPage';
import { SubjectDetailPage } from './pages/SubjectDetailPage';
import { SubjectsPage } from './pages/SubjectsPage';
import { TransfersPage } from './pages/TransfersPage';
import { WebhooksPage } from './pages/WebhooksPage';
import { Shell } from './Shell';
import { SessionProvider, useSession } from './session';

function Waiting() {
  return (
    <main className="auth-page" id="main">
      <Loading label="Loading the console…" />
    </main>
  );
}

/** Pages behind the sign-in: a lost session returns to sign-in with the reason, MFA comes first. */
function RequireSession() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <Waiting />;
  const from = `${location.pathname}${location.search}`;
  if (state.status === 'signed-out') {
    return <Navigate to="/login" replace state={{ from, message: state.message }} />;
  }
  if (state.status === 'mfa') return <Navigate to="/mfa" replace state={{ from }} />;
  return <Outlet />;
}

/** Where to go once signed in: the page the operator was on when sign-in interrupted them, if any. */
function returnPath(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  if (typeof from !== 'string' || !from.startsWith('/') || from.startsWith('//')) return '/';
  return ['/login', '/mfa'].some((path) => from === path || from.startsWith(`${path}?`)) ? '/' : from;
}

function SignedOutOnly({ children }: { children: ReactNode }) {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <Waiting />;
  // The page to return to travels along through MFA.
  if (state.status === 'mfa')
    return <Navigate to="/mfa" replace state={{ from: returnPath(location.state) }} />;
  if (state.status === 'signed-in') return <Navigate to={returnPath(location.state)} replace />;
  return <>{children}</>;
}

function MfaGate() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <Waiting />;
  if (state.status === 'mfa') return <MfaPage key={state.step} step={state.step} />;
  if (state.status === 'signed-in') return <Navigate to={returnPath(location.state)} replace />;
  return (
    <Navigate to="/login" replace state={{ from: returnPath(location.state), message: state.message }} />
  );
}

/** A page the operator's roles do not reach says so, instead of failing call by call. */
function Permitted({ permission, children }: { permission: string; children: ReactNode }) {
  const { can } = useSession();
  if (can(permission)) return <>{children}</>;
  return (
    <>
      <PageHeader title="No access" />
      <Alert tone="warning">This page needs the {permission} permission, which your roles do not give.</Alert>
    </>
  );
}

function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <p>There is no console page at this address. Use the navigation to find your way.</p>
    </>
  );
}

export function App() {
  return (
    <BrowserRouter basename="/console">
      <SessionProvider>
        <Routes>
          <Route path="setup" element={<SetupPage kind="setup" />} />
          <Route path="invitation" element={<SetupPage kind="invitation" />} />
          <Route
            path="login"
            element={
              <SignedOutOnly>
                <LoginPage />
              </SignedOutOnly>
            }
          />
          <Route path="mfa" element={<MfaGate />} />
          <Route element={<RequireSession />}>
            <Route element={<Shell />}>
              <Route index element={<DashboardPage />} />
              <Route path="reports" element={<ReportsPage />} />
              <Route path="accountability" element={<AccountabilityPage />} />
              <Route
                path="requests"
                element={
                  <Permitted permission="requests.read">
                    <RequestsPage />
                  </Permitted>
                }
              />
              <Route
                path="requests/:id"
                element={
                  <Permitted permission="requests.read">
                    <RequestDetailPage />
                  </Permitted>
                }
              />
              <Route
                path="minimization"
                element={
                  <Permitted permission="retention.read">
                    <MinimizationPage />
                  </Permitted>
                }
              />
              <Route
                path="retention"
                element={
                  <Permitted permission="retention.read">
                    <RetentionPage />
                  </Permitted>
                }
              />
              <Route
                path="subjects"
                element={
                  <Permitted permission="vault.subjects.read">
                    <SubjectsPage />
                  </Permitted>
                }
              />
              <Route
                path="subjects/:id"
                element={
                  <Permitted permission="vault.subjects.read">
                    <SubjectDetailPage />
                  </Permitted>
                }
              />
              <Route
                path="consent"
                element={
                  <Permitted permission="consent.purposes.read">
                    <ConsentPage />
                  </Permitted>
                }
              />
              <Route
                path="collections"
                element={
                  <Permitted permission="vault.collections.read">
                    <CollectionsPage />
                  </Permitted>
                }
              />
              <Route
                path="data-map/*"
                element={
                  <Permitted permission="inventory.read">
                    <DataMapPage />
                  </Permitted>
                }
              />
              {/* The downstream systems page became the data map's systems. */}
              <Route path="systems" element={<Navigate to="/data-map/systems" replace />} />
              <Route
                path="outbox"
                element={
                  <Permitted permission="outbox.read">
                    <OutboxPage />
                  </Permitted>
                }
              />
              <Route
                path="webhooks"
                element={
                  <Permitted permission="notifications.read">
                    <WebhooksPage />
                  </Permitted>
                }
              />
              <Route
                path="api-keys"
                element={
                  <Permitted permission="api_keys.read">
                    <ApiKeysPage />
                  </Permitted>
                }
              />
              <Route
                path="alerts"
                element={
                  <Permitted permission="alerts.read">
                    <AlertsPage />
                  </Permitted>
                }
              />
              <Route
                path="transfers"
                element={
                  <Permitted permission="transfers.read">
                    <TransfersPage />
                  </Permitted>
                }
              />
              <Route
                path="assessments"
                element={
                  <Permitted permission="assessments.read">
                    <AssessmentsPage />
                  </Permitted>
                }
              />
              <Route
                path="assessments/:id"
                element={
                  <Permitted permission="assessments.read">
                    <AssessmentDetailPage />
                  </Permitted>
                }
              />
              <Route
                path="monitoring"
                element={
                  <Permitted permission="monitoring.read">
                    <MonitoringPage />
                  </Permitted>
                }
              />
              <Route
                path="breaches"
                element={
                  <Permitted permission="breaches.read">
                    <BreachesPage />
                  </Permitted>
                }
              />
              <Route
                path="breaches/:id"
                element={
                  <Permitted permission="breaches.read">
                    <BreachDetailPage />
                  </Permitted>
                }
              />
              <Route
                path="audit"
                element={
                  <Permitted permission="audit.read">
                    <AuditPage />
                  </Permitted>
                }
              />
              <Route
                path="operators"
                element={
                  <Permitted permission="operators.read">
                    <OperatorsPage />
                  </Permitted>
                }
              />
              <Route
                path="keys"
                element={
                  <Permitted permission="keys.read">
                    <KeysPage />
                  </Permitted>
                }
              />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Route>
        </Routes>
      </SessionProvider>
    </BrowserRouter>
  );
}
