import { useState } from 'preact/hooks';
import { Link } from '../components/Link';
import { Empty, Failure, Loading } from '../components/States';
import { navigate } from '../router';
import type { CloseRun } from './financeApi';
import { customerName, errorFor, FieldError, FormProblem, invalid, PageHead, StatusBadge, useAction, useConsole, useLoad, utc } from './shared';
import { TableHead } from '../components/TableHead';

const fields = ['period', 'customerId', 'kind', 'dryRun'];

/** The month before now (UTC), the period a close usually runs for. */
function lastMonth(): string {
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return month.toISOString().slice(0, 7);
}

export function runStatusLabel(run: CloseRun): string {
  return run.status === 'needs_attention' ? 'needs attention' : run.status;
}

/** Close runs: start one (a dry run first, if you like), and every run of the tenant with its progress. */
export function CloseRuns() {
  const { finance, customers } = useConsole();
  const runs = useLoad(() => finance.closeRuns(), 'runs', 1000, (list) => list.some((r) => r.status === 'running'));
  const [period, setPeriod] = useState(lastMonth);
  const [customerId, setCustomerId] = useState('');
  const [kind, setKind] = useState<'close' | 'rerun'>('close');
  const [dryRun, setDryRun] = useState(true);
  const { busy, error, run } = useAction();

  const start = (event: Event) => {
    event.preventDefault();
    void run(
      () => finance.startCloseRun({ period, customerId: customerId || undefined, kind, dryRun }),
      (started) => navigate(`/console/close-runs/${encodeURIComponent(started.id)}`),
    );
  };

  const periodError = errorFor(error, 'period');
  const customerError = errorFor(error, 'customerId');
  const kindError = errorFor(error, 'kind');
  const sorted = [...(runs.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  return (
    <>
      <PageHead title="Close runs" />
      <section class="card" aria-labelledby="start-title">
        <h2 id="start-title">Start a close</h2>
        <p class="muted small">
          A close freezes each customer's usage of the period, rates it, checks it and issues the invoices. A dry run does all of that
          but stores, issues and pushes nothing: run one first to see what the close would invoice.
        </p>
        <form class="form-grid" onSubmit={start} noValidate>
          <FormProblem error={error} fields={fields} />
          <p>
            <label for="close-period">Period (month, UTC)</label>
            <input type="month" {...invalid('close-period', periodError, 'close-period-help')} value={period} onInput={(e) => setPeriod(e.currentTarget.value)} required />
            <span id="close-period-help" class="muted small">
              Closes once it has ended.
            </span>
            <FieldError id="close-period" message={periodError} />
          </p>
          <p>
            <label for="close-customer">Customers</label>
            <select {...invalid('close-customer', customerError)} value={customerId} onChange={(e) => setCustomerId(e.currentTarget.value)}>
              <option value="">All customers</option>
              {(customers ?? []).map((c) => (
                <option value={c.id} key={c.id}>
                  {c.name} ({c.key})
                </option>
              ))}
            </select>
            <FieldError id="close-customer" message={customerError} />
          </p>
          <p>
            <label for="close-kind">Kind</label>
            <select {...invalid('close-kind', kindError)} value={kind} onChange={(e) => setKind(e.currentTarget.value as 'close' | 'rerun')}>
              <option value="close">Close the period</option>
              <option value="rerun">Re-run a closed period (corrections)</option>
            </select>
            <FieldError id="close-kind" message={kindError} />
          </p>
          <p class="checkbox">
            <input id="close-dry-run" type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} />
            <label for="close-dry-run">Dry run: rate and check only, store nothing</label>
          </p>
          <p class="form-actions">
            <button type="submit" class="button" disabled={busy}>
              {busy ? 'Starting…' : dryRun ? 'Start dry run' : 'Start close'}
            </button>
          </p>
        </form>
      </section>

      <section class="card" aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        {runs.error && !runs.data ? (
          <Failure error={runs.error} what="the close runs" onRetry={runs.reload} />
        ) : !runs.data ? (
          <Loading what="the close runs" />
        ) : sorted.length === 0 ? (
          <Empty title="No close runs yet.">
            Start one above: a dry run of last month shows what its invoices would be. Tally also starts each month's close by itself once
            the month has ended (plus the grace period).
          </Empty>
        ) : (
          <div class="table-wrap">
            <table data-testid="close-runs">
              <caption class="visually-hidden">Close runs, newest first</caption>
              <TableHead columns={['Period', 'Kind', 'Status', 'Progress', 'Customers', 'Started']} />
              <tbody>
                {sorted.map((run) => (
                  <tr key={run.id}>
                    <th scope="row">
                      <Link href={`/console/close-runs/${encodeURIComponent(run.id)}`}>{run.period}</Link>
                    </th>
                    <td>
                      {run.kind === 'rerun' ? 'Re-run' : 'Close'}
                      {run.dryRun ? ' (dry run)' : ''}
                    </td>
                    <td>
                      <StatusBadge status={run.status} label={runStatusLabel(run)} />
                    </td>
                    <td>
                      {run.progress.done} of {run.progress.total} done
                    </td>
                    <td>{run.customerId ? customerName(customers, run.customerId) : 'All'}</td>
                    <td>{utc(run.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
