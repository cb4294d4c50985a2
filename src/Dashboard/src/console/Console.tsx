import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { UsageApi } from '../api';
import { Link } from '../components/Link';
import { useLocation } from '../router';
import { Approvals } from './Approvals';
import { CloseRunDetail } from './CloseRunDetail';
import { CloseRuns } from './CloseRuns';
import { CustomerDetail, Customers, NewCustomer } from './Customers';
import { Events } from './Events';
import { FinanceApi, type FullCustomer } from './financeApi';
import { InvoiceDetail } from './InvoiceDetail';
import { Invoices } from './Invoices';
import { NewPlan, PlanVersion, Plans } from './Plans';
import { ConsoleContext, focusPageHeading, PageHead } from './shared';
import { SubscriptionDetail, Subscriptions } from './Subscriptions';
import './console.css';

interface Props {
  api: UsageApi;
  onSignOut: () => void;
  onUnauthorized: () => void;
}

const sections = [
  { href: '/console/close-runs', label: 'Close runs' },
  { href: '/console/approvals', label: 'Approvals' },
  { href: '/console/invoices', label: 'Invoices' },
  { href: '/console/plans', label: 'Plans' },
  { href: '/console/customers', label: 'Customers' },
  { href: '/console/subscriptions', label: 'Subscriptions' },
];

/**
 * The finance console at /console: close runs and their progress, the approvals queue, invoices with
 * their lineage, and the catalog. It reads and writes only the HTTP API, with the tenant's API key.
 */
export function Console({ api, onSignOut, onUnauthorized }: Props) {
  const finance = useMemo(() => new FinanceApi(api), [api]);
  const { path, search } = useLocation();
  const [customers, setCustomers] = useState<FullCustomer[] | null>(null);
  const [customersVersion, setCustomersVersion] = useState(0);
  const [waiting, setWaiting] = useState<number | null>(null);
  const [approvalsVersion, setApprovalsVersion] = useState(0);
  const first = useRef(true);

  useEffect(() => {
    finance.customers().then(setCustomers, (e) => (e.status === 401 ? onUnauthorized() : setCustomers([])));
  }, [finance, customersVersion]);

  // The count beside "Approvals": drafts held for a person, refreshed on each page and after each decision.
  useEffect(() => {
    finance.invoices('draft').then(
      (drafts) => setWaiting(drafts.filter((i) => i.statusDetails.extendedStatus === 'draft.manual_approval_needed').length),
      () => setWaiting(null),
    );
  }, [finance, path, approvalsVersion]);

  // After a navigation, the new page's heading takes the focus (see focusPageHeading).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    focusPageHeading();
  }, [path]);

  const reloadCustomers = useCallback(() => setCustomersVersion((n) => n + 1), []);
  const approvalsChanged = useCallback(() => setApprovalsVersion((n) => n + 1), []);
  const context = useMemo(
    () => ({ finance, customers, reloadCustomers, onUnauthorized, approvalsChanged }),
    [finance, customers, reloadCustomers, onUnauthorized, approvalsChanged],
  );

  return (
    <ConsoleContext.Provider value={context}>
      <div class="app console">
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="topbar">
          <p class="brand">
            <span class="brand-mark" aria-hidden="true">
              ▮▮▮
            </span>{' '}
            Tally <span class="brand-sub">finance</span>
          </p>
          <div class="topbar-actions">
            <Link href="/" class="button secondary">
              Usage dashboard
            </Link>
            <button type="button" class="button secondary" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </header>
        <div class="console-layout">
          <nav class="console-nav" aria-label="Finance console">
            <ul>
              {sections.map((section) => {
                const current = path === section.href || path.startsWith(`${section.href}/`) || (path === '/console' && section.href.endsWith('close-runs'));
                return (
                  <li key={section.href}>
                    <Link href={section.href} aria-current={current ? 'page' : undefined}>
                      {section.label}
                      {section.label === 'Approvals' && waiting ? (
                        <span class="count" data-testid="approvals-count">
                          <span class="visually-hidden">, waiting: </span>
                          {waiting}
                        </span>
                      ) : null}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
          <main id="main" class="content console-main" tabIndex={-1}>
            <Route path={path} search={search} />
          </main>
        </div>
      </div>
    </ConsoleContext.Provider>
  );
}

function Route({ path, search }: { path: string; search: string }) {
  const parts = path.replace(/\/+$/, '').split('/').slice(2).map(decodeURIComponent);
  const [section, id] = parts;
  switch (section) {
    case undefined:
    case 'close-runs':
      return id ? <CloseRunDetail key={id} runId={id} /> : <CloseRuns />;
    case 'approvals':
      return <Approvals />;
    case 'invoices':
      return id ? <InvoiceDetail key={id} invoiceId={id} /> : <Invoices />;
    case 'events':
      return <Events key={search} search={search} />;
    case 'plans':
      return id === 'new' ? <NewPlan /> : id ? <PlanVersion key={id} planId={id} /> : <Plans />;
    case 'customers':
      return id === 'new' ? <NewCustomer /> : id ? <CustomerDetail key={id} customerId={id} /> : <Customers />;
    case 'subscriptions':
      return id ? <SubscriptionDetail key={id} subscriptionId={id} /> : <Subscriptions />;
    default:
      return (
        <>
          <PageHead title="Page not found" />
          <p>
            There is no console page at <code>{path}</code>. <Link href="/console/close-runs">Go to the close runs</Link>.
          </p>
        </>
      );
  }
}
