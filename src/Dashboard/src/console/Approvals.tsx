import { useState } from 'preact/hooks';
import { Link } from '../components/Link';
import { Empty, Failure, Loading } from '../components/States';
import { byPeriodAndCustomer, periodOf, type Invoice } from './financeApi';
import { InvoiceLines } from './InvoiceLines';
import { errorFor, FieldError, FormProblem, invalid, money, PageHead, useAction, useConsole, useLoad } from './shared';

/** Drafts a close held for a person (above Close:ApprovalAbove, or a check found something): approve or reject each. */
export function Approvals() {
  const { finance } = useConsole();
  const queue = useLoad(() => finance.invoices('draft', true).then((drafts) => drafts.filter((i) => i.statusDetails.extendedStatus === 'draft.manual_approval_needed')).then(byPeriodAndCustomer), 'approvals');
  const [notice, setNotice] = useState('');
  // Decided here: the run issues (or voids) it moments later, but it no longer waits for anyone.
  const [decided, setDecided] = useState<string[]>([]);
  const waiting = queue.data?.filter((invoice) => !decided.includes(invoice.id)) ?? null;

  return (
    <>
      <PageHead title="Approvals" />
      <p class="muted">
        A close holds an invoice here when its total is above the approval limit or a check found something. Approving issues it (and
        pushes it to Stripe when installed); rejecting voids the draft with your reason.
      </p>
      {notice && (
        <p class="notice" role="status" data-testid="approvals-notice">
          {notice}
        </p>
      )}
      {queue.error ? (
        <Failure error={queue.error} what="the approvals queue" onRetry={queue.reload} />
      ) : !waiting ? (
        <Loading what="the approvals queue" />
      ) : waiting.length === 0 ? (
        <Empty title="Nothing waits for approval.">
          Invoices held by a close appear here. <Link href="/console/close-runs">Start or follow a close run</Link>.
        </Empty>
      ) : (
        <ul class="queue" data-testid="approvals">
          {waiting.map((invoice) => (
            <li key={invoice.id}>
              <Held
                invoice={invoice}
                onDone={(message) => {
                  setNotice(message);
                  setDecided((ids) => [...ids, invoice.id]);
                }}
              />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Held({ invoice, onDone }: { invoice: Invoice; onDone: (message: string) => void }) {
  const { finance, approvalsChanged } = useConsole();
  const { busy, error, run, clear } = useAction();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const who = invoice.customer.name ?? invoice.customer.key ?? invoice.customer.id;
  const idBase = `reject-${invoice.id}`;
  const total = money(invoice.totals.total, invoice.currency);

  const act = (action: () => Promise<Invoice>, message: string) =>
    run(action, () => {
      approvalsChanged();
      onDone(message);
    });

  const reject = (event: Event) => {
    event.preventDefault();
    void act(() => finance.void(invoice.id, reason), `Rejected ${who}'s invoice of ${total}: the draft is voided.`);
  };
  const reasonError = errorFor(error, 'reason');

  return (
    <article class="card held" aria-labelledby={`${invoice.id}-title`} data-invoice={invoice.id}>
      <h2 id={`${invoice.id}-title`}>
        {who} · {periodOf(invoice)} · {total}
      </h2>
      {invoice.validationIssues.length > 0 && (
        <ul class="issues">
          {invoice.validationIssues.map((issue) => (
            <li key={issue.code}>
              <strong>{issue.severity}</strong>: {issue.message}
            </li>
          ))}
        </ul>
      )}
      <InvoiceLines invoice={invoice} />
      <p class="muted small">
        <Link href={`/console/invoices/${encodeURIComponent(invoice.id)}`}>Where these numbers come from</Link>
      </p>
      {!rejecting && error && <FormProblem error={error} fields={[]} />}
      <div class="held-actions">
        <button type="button" class="button" disabled={busy} onClick={() => act(() => finance.approve(invoice.id), `Approved ${who}'s invoice of ${total}: the close run issues it in a moment.`)}>
          Approve {who}
        </button>
        {!rejecting && (
          <button type="button" class="button secondary" disabled={busy} onClick={() => setRejecting(true)}>
            Reject…
          </button>
        )}
      </div>
      {rejecting && (
        <form class="reject-form" onSubmit={reject} noValidate>
          <FormProblem error={error} fields={['reason']} />
          <label for={idBase}>Why is {who}'s invoice rejected?</label>
          <textarea {...invalid(idBase, reasonError)} rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          <FieldError id={idBase} message={reasonError} />
          <p class="form-actions">
            <button type="submit" class="button danger" disabled={busy}>
              Reject {who}
            </button>
            <button type="button" class="button secondary" onClick={() => (setRejecting(false), clear())}>
              Keep it
            </button>
          </p>
        </form>
      )}
    </article>
  );
}
