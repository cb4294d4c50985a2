import type { ApiError, Charges } from '../api';
import { formatInstant } from '../time';
import { BillTable } from './BillTable';
import { Empty, Failure } from './States';

interface Props {
  charges: Charges | null;
  error: ApiError | null;
  customerName: string;
}

/** The customer's running bill of the current period (GET /api/v1/customers/{id}/charges). */
export function LiveBill({ charges, error, customerName }: Props) {
  if (error?.status === 409) {
    return (
      <Empty title={`${customerName} has no subscription this period`}>
        Subscribe it to a plan (POST /api/v1/subscriptions) and its live bill appears here.
      </Empty>
    );
  }
  if (error) return <Failure error={error} what="the live bill" />;
  if (!charges) return <p class="muted">Loading the live bill…</p>;
  return (
    <div data-testid="live-bill">
      <p class="bill-meta">
        {formatInstant(charges.period.from, 'UTC', 'DAY')} to {formatInstant(charges.period.to, 'UTC', 'DAY')} (UTC)
      </p>
      <BillTable
        rows={charges.lines.map((line) => ({ id: line.id, name: line.name, quantity: line.quantity, unitPrice: line.unitPrice, amount: line.totals.total }))}
        currency={charges.currency}
        caption="Live bill lines"
        totalLabel="Total so far"
        total={charges.totals.total}
        totalTestId="bill-total"
      />
    </div>
  );
}
