import { BillTable } from '../components/BillTable';
import type { Invoice } from './financeApi';

/** An invoice's lines with quantity, unit price and amount, and the total. */
export function InvoiceLines({ invoice }: { invoice: Invoice }) {
  const rows = (invoice.lines ?? []).map((line) => ({
    id: line.id,
    name: line.name,
    note: line.description,
    quantity: line.quantity,
    unitPrice: line.rateCard?.price?.amount,
    amount: line.totals.total,
  }));
  return (
    <div class="table-wrap">
      <BillTable
        rows={rows}
        currency={invoice.currency}
        caption="Lines of the invoice"
        totalLabel="Total"
        total={invoice.totals.total}
        totalTestId="invoice-total"
        testId="invoice-lines"
      />
    </div>
  );
}
