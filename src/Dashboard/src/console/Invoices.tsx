import { useState } from 'preact/hooks';
import { Link } from '../components/Link';
import { Empty, Failure, Loading } from '../components/States';
import { download, invoicesCsv } from './csv';
import { byPeriodAndCustomer, periodOf } from './financeApi';
import { money, PageHead, StatusBadge, useConsole, useLoad, utc } from './shared';
import { TableHead } from '../components/TableHead';

const filters = [
  { value: '', label: 'All stored invoices' },
  { value: 'draft', label: 'Drafts' },
  { value: 'issued', label: 'Issued' },
  { value: 'voided', label: 'Voided' },
];

/** The tenant's stored invoices (newest period first), filtered by status, exported as CSV. */
export function Invoices() {
  const { finance } = useConsole();
  const [status, setStatus] = useState('');
  // Newest period first, then by customer: the order the CSV has too, whatever order the ledger returns.
  const invoices = useLoad(() => finance.invoices(status).then(byPeriodAndCustomer), `invoices|${status}`);
  const [exported, setExported] = useState('');

  const exportCsv = () => {
    const list = invoices.data ?? [];
    const name = `invoices${status ? `-${status}` : ''}.csv`;
    download(name, invoicesCsv(list));
    setExported(`Exported ${list.length} invoice${list.length === 1 ? '' : 's'} to ${name}.`);
  };

  return (
    <>
      <PageHead title="Invoices" />
      <form class="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Invoice filter">
        <p>
          <label for="invoice-status">Status</label>
          <select id="invoice-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            {filters.map((f) => (
              <option value={f.value} key={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </p>
        <p>
          <button type="button" class="button secondary" onClick={exportCsv} disabled={!invoices.data || invoices.data.length === 0}>
            Export CSV
          </button>
        </p>
      </form>
      {exported && (
        <p class="notice" role="status">
          {exported}
        </p>
      )}
      {invoices.error ? (
        <Failure error={invoices.error} what="the invoices" onRetry={invoices.reload} />
      ) : !invoices.data ? (
        <Loading what="the invoices" />
      ) : invoices.data.length === 0 ? (
        <Empty title={status ? `No ${status} invoices.` : 'No invoices yet.'}>
          Invoices are made by closing a period: <Link href="/console/close-runs">start a close run</Link>. Each customer's running bill of
          this month is on the usage dashboard.
        </Empty>
      ) : (
        <div class="table-wrap card">
          <table data-testid="invoices">
            <caption class="visually-hidden">Invoices, newest period first</caption>
            <TableHead columns={['Number', 'Customer', 'Period', 'Status', { label: 'Total', number: true }, 'Issued']} />
            <tbody>
              {invoices.data.map((invoice) => (
                <tr key={invoice.id}>
                  <th scope="row">
                    <Link href={`/console/invoices/${encodeURIComponent(invoice.id)}`}>{invoice.number ?? (invoice.status === 'voided' ? 'Voided draft' : 'Draft')}</Link>
                  </th>
                  <td>{invoice.customer.name ?? invoice.customer.key}</td>
                  <td>{periodOf(invoice)}</td>
                  <td>
                    <StatusBadge status={invoice.status} label={invoice.statusDetails.extendedStatus === 'draft.manual_approval_needed' ? 'awaiting approval' : invoice.status} />
                  </td>
                  <td class="number">{money(invoice.totals.total, invoice.currency)}</td>
                  <td>{utc(invoice.issuedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
