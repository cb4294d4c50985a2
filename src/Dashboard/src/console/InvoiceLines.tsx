import { BillTable } from '../components/BillTable';
import type { Invoice, InvoiceLine } from './financeApi';
import { describePrice } from './Plans';

/**
 * What a line's price says: a unit price goes in the unit-price column; any other price (flat, tiered,
 * package) has no one unit price, so it is described beside the line's name instead.
 */
function priceOf(line: InvoiceLine, currency: string): { unitPrice?: string; described?: string } {
  const price = line.rateCard?.price;
  if (!price) return {};
  if (price.type === 'unit' && !price.minimumAmount && !price.maximumAmount) return { unitPrice: price.amount };
  return { unitPrice: price.type === 'unit' ? price.amount : undefined, described: describePrice(price, currency) };
}

/** An invoice's lines with quantity, price and amount, and the total. */
export function InvoiceLines({ invoice }: { invoice: Invoice }) {
  const rows = (invoice.lines ?? []).map((line) => {
    const { unitPrice, described } = priceOf(line, invoice.currency);
    return {
      id: line.id,
      name: line.name,
      note: [line.description, described].filter(Boolean).join('; ') || null,
      quantity: line.quantity,
      unitPrice,
      amount: line.totals.total,
    };
  });
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
