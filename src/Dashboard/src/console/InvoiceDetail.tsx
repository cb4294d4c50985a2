import { useState } from 'preact/hooks';
import { Link } from '../components/Link';
import { formatNumber, formatUnitPrice } from '../time';
import { HistoryTable } from './CloseRunDetail';
import type { ExplainedLine, Explanation, Invoice } from './financeApi';
import { InvoiceLines } from './InvoiceLines';
import { errorFor, FieldError, FormProblem, invalid, money, PageHead, pendingPage, StatusBadge, useAction, useConsole, useLoad, utc, utcDay } from './shared';
import { TableHead } from '../components/TableHead';

/** The console path that lists a lineage link's events (the API's own query, passed through). */
export function eventsPath(apiLink: string): string {
  const query = apiLink.indexOf('?');
  return `/console/events${query >= 0 ? apiLink.slice(query) : ''}`;
}

/** One invoice: its lines, its actions, and where every number came from (GET …/explain). */
export function InvoiceDetail({ invoiceId }: { invoiceId: string }) {
  const { finance } = useConsole();
  const loaded = useLoad(() => Promise.all([finance.invoice(invoiceId), finance.explain(invoiceId)]), invoiceId);

  const pending = pendingPage('Invoice', 'the invoice and its lineage', loaded);
  if (pending || !loaded.data) return pending;
  const [invoice, explained] = loaded.data;
  const who = invoice.customer.name ?? invoice.customer.key ?? invoice.customer.id;

  return (
    <>
      <PageHead title={`${invoice.number ?? 'Draft invoice'} · ${who}`}>
        <p class="muted small">
          <Link href="/console/invoices">All invoices</Link> · <code>{invoice.id}</code>
        </p>
      </PageHead>
      <section class="card" aria-labelledby="summary-title">
        <h2 id="summary-title">Summary</h2>
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={invoice.status} label={invoice.statusDetails.extendedStatus.replace(/[._]/g, ' ')} />
          </dd>
          <dt>Customer</dt>
          <dd>
            {who} ({invoice.customer.key})
          </dd>
          <dt>Period</dt>
          <dd>
            {utcDay(invoice.period.from)} to {utcDay(invoice.period.to)}
          </dd>
          <dt>Total</dt>
          <dd>{money(invoice.totals.total, invoice.currency)}</dd>
          {invoice.issuedAt && (
            <>
              <dt>Issued</dt>
              <dd>{utc(invoice.issuedAt)}</dd>
            </>
          )}
          {invoice.voidedAt && (
            <>
              <dt>Voided</dt>
              <dd>{utc(invoice.voidedAt)}</dd>
            </>
          )}
          {explained.invoice.usageCutoff && (
            <>
              <dt>Usage stored until</dt>
              <dd>{utc(explained.invoice.usageCutoff)}</dd>
            </>
          )}
          {explained.planVersion && (
            <>
              <dt>Plan version</dt>
              <dd>{explained.planVersion}</dd>
            </>
          )}
        </dl>
        <InvoiceLines invoice={invoice} />
        <Actions invoice={invoice} onChanged={loaded.reload} />
      </section>
      <Lineage explained={explained} currency={invoice.currency} />
    </>
  );
}

function Actions({ invoice, onChanged }: { invoice: Invoice; onChanged: () => void }) {
  const { finance, approvalsChanged } = useConsole();
  const actions = invoice.statusDetails.availableActions;
  const [reason, setReason] = useState('');
  const { busy, error, run: request } = useAction();
  if (!actions.approve && !actions.void) return null;
  const held = invoice.statusDetails.extendedStatus === 'draft.manual_approval_needed';
  const run = (action: () => Promise<Invoice>) =>
    request(action, () => {
      approvalsChanged();
      onChanged();
    });
  const reasonError = errorFor(error, 'reason');

  return (
    <form class="invoice-actions" onSubmit={(e) => (e.preventDefault(), run(() => finance.void(invoice.id, reason)))} noValidate>
      <h3>{held ? 'Approve or reject' : 'Void'}</h3>
      <FormProblem error={error} fields={['reason']} />
      {actions.approve && (
        <p>
          <button type="button" class="button" disabled={busy} onClick={() => run(() => finance.approve(invoice.id))}>
            Approve
          </button>
        </p>
      )}
      {actions.void && (
        <>
          <label for="void-reason">{held ? 'Reason for rejecting' : 'Reason for voiding'}</label>
          <textarea {...invalid('void-reason', reasonError)} rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          <FieldError id="void-reason" message={reasonError} />
          <p>
            <button type="submit" class="button danger" disabled={busy}>
              {held ? 'Reject' : 'Void invoice'}
            </button>
          </p>
        </>
      )}
    </form>
  );
}

function Lineage({ explained, currency }: { explained: Explanation; currency: string }) {
  return (
    <section class="card" aria-labelledby="lineage-title">
      <h2 id="lineage-title">Where the numbers come from</h2>
      {explained.lines.map((line) => (
        <LineLineage key={line.key} line={line} currency={currency} />
      ))}
      {explained.checks.length > 0 && (
        <>
          <h3>Checks</h3>
          <ul class="issues">
            {explained.checks.map((check) => (
              <li key={check.code}>
                <strong>{check.severity}</strong>: {check.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Approval</h3>
      <p data-testid="approval">
        {explained.approval.required
          ? `Held for approval; ${explained.approval.reviewedBy ? `decided by ${explained.approval.reviewedBy}` : 'not decided yet'}.`
          : 'Approved automatically: within the approval limit and every check passed.'}
      </p>
      {explained.history.length > 0 && <HistoryTable entries={explained.history} caption="The close run's history for this customer" />}
    </section>
  );
}

function LineLineage({ line, currency }: { line: ExplainedLine; currency: string }) {
  const frozen = line.frozenUsage?.[0];
  return (
    <article class="lineage" aria-labelledby={`line-${line.key}`} data-line={line.key}>
      <h3 id={`line-${line.key}`}>
        {line.description} · {money(line.amount, currency)}
      </h3>
      <dl class="facts">
        {line.meter && (
          <>
            <dt>Meter</dt>
            <dd>
              <code>{line.meter.slug}</code>: {line.meter.aggregation} of <code>{line.meter.valueProperty ?? 'events'}</code> over events of type{' '}
              <code>{line.meter.eventType}</code>
            </dd>
          </>
        )}
        {line.quantity !== undefined && (
          <>
            <dt>Quantity × price</dt>
            <dd>
              {formatNumber(Number(line.quantity))} × {line.unitPrice ? formatUnitPrice(Number(line.unitPrice), currency) : 'the plan\u2019s tiers'} ={' '}
              {money(line.amount, currency)}
            </dd>
          </>
        )}
        {frozen && (
          <>
            <dt>Frozen usage</dt>
            <dd data-testid="frozen-usage">
              {formatNumber(Number(frozen.quantity))} (events stored until {utc(frozen.cutoff)})
            </dd>
          </>
        )}
        {line.covers && (
          <>
            <dt>Adjusts</dt>
            <dd>{line.covers}</dd>
          </>
        )}
        {line.rawEvents && (
          <>
            <dt>Raw events</dt>
            <dd>
              <Link href={eventsPath(line.rawEvents.list)} data-testid="events-link">
                List the {formatNumber(line.rawEvents.count)} event{line.rawEvents.count === 1 ? '' : 's'} behind {line.description}
              </Link>
            </dd>
          </>
        )}
      </dl>
      {line.usageByDayNow && line.usageByDayNow.length > 0 && (
        <details class="data-table">
          <summary>Usage by day, as stored now</summary>
          <table>
            <caption class="visually-hidden">Usage of {line.description} by day</caption>
            <TableHead columns={['Day (UTC)', { label: 'Usage', number: true }]} />
            <tbody>
              {line.usageByDayNow.map((day) => (
                <tr key={day.from}>
                  <th scope="row">{utcDay(day.from)}</th>
                  <td class="number">{formatNumber(Number(day.value))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </article>
  );
}
