import { useEffect, useId, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { label } from '../shared/format';
import { Button } from '../shared/ui';
import { Logo } from './AuthLayout';
import { useSignedIn } from './session';

type NavItem = { to: string; label: string; permission?: string; end?: boolean };

export const navigation: { group: string; items: NavItem[] }[] = [
  {
    group: 'Overview',
    items: [
      { to: '/', label: 'Dashboard', end: true },
      { to: '/reports', label: 'Compliance reports', permission: 'reports.read' },
      { to: '/accountability', label: 'Accountability', permission: 'reports.read' },
    ],
  },
  {
    group: 'Privacy',
    items: [
      { to: '/requests', label: 'Requests', permission: 'requests.read' },
      { to: '/subjects', label: 'Subjects', permission: 'vault.subjects.read' },
      { to: '/consent', label: 'Purposes & consent', permission: 'consent.purposes.read' },
      { to: '/collections', label: 'Collections', permission: 'vault.collections.read' },
      { to: '/data-map', label: 'Data map', permission: 'inventory.read' },
      { to: '/retention', label: 'Retention', permission: 'retention.read' },
      { to: '/assessments', label: 'Assessments (DPIA)', permission: 'assessments.read' },
      { to: '/minimization', label: 'Minimization audit', permission: 'retention.read' },
      { to: '/transfers', label: 'Transfers', permission: 'transfers.read' },
      { to: '/outbox', label: 'Mail outbox', permission: 'outbox.read' },
    ],
  },
  {
    group: 'Integrations',
    items: [
      { to: '/webhooks', label: 'Webhooks', permission: 'notifications.read' },
      { to: '/api-keys', label: 'API keys', permission: 'api_keys.read' },
    ],
  },
  {
    group: 'Security',
    items: [
      { to: '/alerts', label: 'Alerts', permission: 'alerts.read' },
      { to: '/monitoring', label: 'Monitoring', permission: 'monitoring.read' },
      { to: '/breaches', label: 'Breaches', permission: 'breaches.read' },
      { to: '/audit', label: 'Audit log', permission: 'audit.read' },
      { to: '/operators', label: 'Operators & roles', permission: 'operators.read' },
      { to: '/keys', label: 'Encryption keys', permission: 'keys.read' },
    ],
  },
];

const roleLabels: Record<string, string> = {
  admin: 'Administrator',
  dpo: 'Data protection officer',
  privacy_agent: 'Privacy agent',
  auditor: 'Auditor',
  security: 'Security',
};

/** The signed-in frame: header, navigation by permission (a menu on phones), and the page. */
export function Shell() {
  const { me, can, signOut, settings } = useSignedIn();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  const navId = useId();

  // A page change closes the phone menu.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation only.
  useEffect(() => setMenuOpen(false), [location.pathname]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-brand">
          <Logo />
          <span>
            <span className="topbar-product">Custos</span>
            <span className="topbar-org">{settings.brandName}</span>
          </span>
        </div>
        <Button
          className="menu-button"
          variant="ghost"
          aria-expanded={menuOpen}
          aria-controls={navId}
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </Button>
        <div className="topbar-user">
          <span className="topbar-name">
            {me.operator.displayName}
            <span className="muted">
              {' '}
              · {me.operator.roles.map((role) => label(roleLabels, role)).join(', ')}
            </span>
          </span>
          <Button variant="secondary" onClick={() => void signOut('You have signed out.')}>
            Sign out
          </Button>
        </div>
      </header>
      <div className="shell-body">
        <nav id={navId} className={`sidebar${menuOpen ? ' sidebar-open' : ''}`} aria-label="Main">
          {navigation.map((section) => {
            const items = section.items.filter((item) => !item.permission || can(item.permission));
            if (items.length === 0) return null;
            return (
              <div key={section.group} className="nav-group">
                <p className="nav-group-title">{section.group}</p>
                <ul>
                  {items.map((item) => (
                    <li key={item.to}>
                      <NavLink to={item.to} end={item.end}>
                        {item.label}
                      </NavLink>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
          <div className="nav-group nav-user">
            <p className="nav-group-title">{me.operator.displayName}</p>
            <Button variant="secondary" onClick={() => void signOut('You have signed out.')}>
              Sign out
            </Button>
          </div>
        </nav>
        <main id="main" className="content">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
