import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { Link } from '../components/Link';
import { Empty, Failure, Loading } from '../components/States';
import { runStatusLabel } from './CloseRuns';
import type { CloseHistoryEntry, CloseRun, CloseTask } from './financeApi';
import { amount, customerName, PageHead, pendingPage, StatusBadge, useConsole, useLoad, utc } from './shared';
import { TableHead } from '../components/TableHead';

interface RunView {
  run: CloseRun;
  tasks: CloseTask[];
  /** A dry run's result: what each customer's "rated" history entry says it would invoice. */
  rated: CloseHistoryEntry[];
}

interface Rated {
  planVersion?: string;
  total?: number | string;
  /** Keyed by usage: the rate card's key first (tokens/<subscription>/<phase>/<window>). */
  lines?: { key: string; quantity: number | string; amount: number | string }[];
}

/** One close run, followed live (polled every second while it runs): progress, each customer's step, failures to retry. */
export function CloseRunDetail({ runId }: { runId: string }) {
  const { finance, customers, approvalsChanged } = useConsole();
  const view = useLoad<RunView>(
    async () => {
      const [run, tasks] = await Promise.all([finance.closeRun(runId), finance.closeTasks(runId)]);
      const rated = run.dryRun && run.status !== 'running' ? (await finance.closeHistory(runId)).filter((h) => h.outcome === 'rated') : [];
      return { run, tasks, rated };
    },
    runId,
    1000,
    (v) => v.run.status === 'running',
  );
  const [open, setOpen] = useState<string | null>(null);
  const [retrying, setRetrying] = useState<string | null>(null);
  const [retryError, setRetryError] = useState<{ customerId: string; error: ApiError } | null>(null);
  const [notice, setNotice] = useState('');
  // Drafts held by this run show up in the nav's approvals count as they appear.
  const awaiting = view.data?.run.progress.awaitingApproval;
  useEffect(() => {
    if (awaiting !== undefined) approvalsChanged();
  }, [awaiting]);

  const pending = pendingPage('Close run', 'the close run', view);
  if (pending || !view.data) return pending;

  const { run, tasks } = view.data;
  const rated = [...view.data.rated].sort((a, b) => customerName(customers, a.customerId).localeCompare(customerName(customers, b.customerId)));
  const p = run.progress;
  const retry = async (customerId: string) => {
    setRetrying(customerId);
    setRetryError(null);
    try {
      await finance.retry(run.id, customerId);
      setNotice(`Retrying ${customerName(customers, customerId)}: the run picks it up again within a second.`);
      view.reload();
    } catch (e) {
      setRetryError({ customerId, error: e as ApiError });
    } finally {
      setRetrying(null);
    }
  };

  return (
    <>
      <PageHead title={`${run.dryRun ? 'Dry run' : run.kind === 'rerun' ? 'Re-run' : 'Close'} of ${run.period}`}>
        <p class="muted small">
          <Link href="/console/close-runs">All close runs</Link> · run <code>{run.id}</code> · started {utc(run.createdAt)} by {run.requestedBy}
        </p>
      </PageHead>

      <section class="card" aria-labelledby="progress-title">
        <h2 id="progress-title">
          Progress <StatusBadge status={run.status} label={runStatusLabel(run)} />
        </h2>
        <div
          class="progress"
          role="progressbar"
          aria-label="Customers done"
          aria-valuemin={0}
          aria-valuemax={p.total}
          aria-valuenow={p.done}
          aria-valuetext={`${p.done} of ${p.total} done`}
        >
          {(['done', 'awaitingApproval', 'parked', 'inProgress', 'waitingForData'] as const).map((part) =>
            p[part] > 0 ? <span key={part} class={`progress-${part}`} style={{ width: `${(100 * p[part]) / Math.max(1, p.total)}%` }} /> : null,
          )}
        </div>
        <p class="progress-legend" data-testid="run-progress" role="status">
          {p.done} of {p.total} done · {p.awaitingApproval} awaiting approval · {p.parked} failed · {p.inProgress} in progress · {p.waitingForData} waiting for data
        </p>
        {run.status === 'needs_attention' && (
          <p class="attention">
            {p.awaitingApproval > 0 && (
              <>
                {p.awaitingApproval} invoice{p.awaitingApproval === 1 ? '' : 's'} wait{p.awaitingApproval === 1 ? 's' : ''} for a person:{' '}
                <Link href="/console/approvals" onFocus={approvalsChanged}>
                  review the approvals
                </Link>
                .{' '}
              </>
            )}
            {p.parked > 0 && `${p.parked} customer${p.parked === 1 ? '' : 's'} failed: read the error below, fix the cause, then retry.`}
          </p>
        )}
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
      </section>

      {run.dryRun && run.status !== 'running' && (
        <section class="card" aria-labelledby="dry-title">
          <h2 id="dry-title">What this dry run would invoice</h2>
          {rated.length === 0 ? (
            <Empty title="Nothing to invoice.">No customer had a subscription in force in {run.period}.</Empty>
          ) : (
            <div class="table-wrap">
              <table data-testid="dry-run-result">
                <caption class="visually-hidden">Totals each customer would be invoiced</caption>
                <TableHead columns={['Customer', 'Plan', 'Lines', { label: 'Total', number: true }]} />
                <tbody>
                  {rated.map((entry) => {
                    const detail = (entry.detail ?? {}) as Rated;
                    return (
                      <tr key={entry.customerId}>
                        <th scope="row">{customerName(customers, entry.customerId)}</th>
                        <td>{detail.planVersion ?? ''}</td>
                        <td>{(detail.lines ?? []).map((l) => `${l.key.split('/')[0]}: ${amount(l.quantity).replace(/\.00$/, '')} → ${amount(l.amount)}`).join('; ')}</td>
                        <td class="number">{amount(detail.total ?? 0)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}

      <section class="card" aria-labelledby="tasks-title">
        <h2 id="tasks-title">Customers</h2>
        {tasks.length === 0 ? (
          <Empty title="This run has no customers.">Create customers (POST /api/v1/customers) and subscribe them to a plan, then start a close.</Empty>
        ) : (
          <div class="table-wrap">
            <table data-testid="close-tasks">
              <caption class="visually-hidden">Each customer's step in the run</caption>
              <TableHead columns={['Customer', 'Step', 'State', { label: 'Attempts', number: true }, 'Invoice', 'Error', { label: 'Actions', hidden: true }]} />
              <tbody>
                {tasks.map((task) => (
                  <TaskRow
                    key={task.customerId}
                    runId={run.id}
                    task={task}
                    name={customerName(customers, task.customerId)}
                    dryRun={run.dryRun}
                    open={open === task.customerId}
                    onToggle={() => setOpen(open === task.customerId ? null : task.customerId)}
                    onRetry={() => retry(task.customerId)}
                    retrying={retrying === task.customerId}
                    retryError={retryError?.customerId === task.customerId ? retryError.error : null}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

interface TaskRowProps {
  runId: string;
  task: CloseTask;
  name: string;
  dryRun: boolean;
  open: boolean;
  onToggle: () => void;
  onRetry: () => void;
  retrying: boolean;
  retryError: ApiError | null;
}

function TaskRow({ runId, task, name, dryRun, open, onToggle, onRetry, retrying, retryError }: TaskRowProps) {
  const historyId = `history-${task.customerId}`;
  return (
    <>
      <tr data-customer={task.customerId}>
        <th scope="row">{name}</th>
        <td>{task.step}</td>
        <td>
          <StatusBadge status={task.state} />
        </td>
        <td class="number">{task.attempts}</td>
        <td>{task.invoiceId && !dryRun ? <Link href={`/console/invoices/${encodeURIComponent(task.invoiceId)}`}>View invoice</Link> : ''}</td>
        <td class="task-error">
          {task.error}
          {retryError && (
            <span class="field-error" role="alert">
              {retryError.detail}
            </span>
          )}
        </td>
        <td class="actions">
          {task.state === 'parked' && (
            <button type="button" class="button small" onClick={onRetry} disabled={retrying} aria-label={`Retry ${name}`}>
              {retrying ? 'Retrying…' : 'Retry'}
            </button>
          )}
          <button type="button" class="button secondary small" aria-expanded={open} aria-controls={historyId} onClick={onToggle} aria-label={`History of ${name}`}>
            History
          </button>
        </td>
      </tr>
      {open && (
        <tr class="history-row">
          <td colSpan={7} id={historyId}>
            <History runId={runId} customerId={task.customerId} name={name} version={`${task.step}|${task.state}|${task.attempts}`} />
          </td>
        </tr>
      )}
    </>
  );
}

function History({ runId, customerId, name, version }: { runId: string; customerId: string; name: string; version: string }) {
  const { finance } = useConsole();
  const history = useLoad(() => finance.closeHistory(runId, customerId), `${runId}|${customerId}|${version}`);
  if (history.error) return <Failure error={history.error} what={`the history of ${name}`} onRetry={history.reload} />;
  if (!history.data) return <Loading what="the history" />;
  return <HistoryTable entries={history.data} caption={`History of ${name} in this run`} />;
}

/** A run's append-only history, oldest first. */
export function HistoryTable({ entries, caption }: { entries: CloseHistoryEntry[]; caption: string }) {
  return (
    <table class="history" data-testid="history">
      <caption>{caption}</caption>
      <TableHead columns={['At', 'Step', 'Outcome', { label: 'Attempt', number: true }, 'Detail']} />
      <tbody>
        {entries.map((entry, i) => (
          <tr key={i}>
            <td>{utc(entry.at)}</td>
            <td>{entry.step}</td>
            <th scope="row">{entry.outcome}</th>
            <td class="number">{entry.attempt}</td>
            <td class="detail">{entry.detail == null ? '' : typeof entry.detail === 'string' ? entry.detail : JSON.stringify(entry.detail)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
