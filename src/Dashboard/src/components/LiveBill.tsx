import type { ApiError, Charges } from '../api';
import { formatInstant, formatMoney, formatNumber, formatUnitPrice } from '../time';
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
      <table class="bill">
        <caption class="visually-hidden">Live bill lines</caption>
        <thead>
          <tr>
            <th scope="col">Line</th>
            <th scope="col" class="number">
              Quantity
            </th>
            <th scope="col" class="number">
              Unit price
            </th>
            <th scope="col" class="number">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {charges.lines.map((line) => (
            <tr key={line.id}>
              <th scope="row">{line.name}</th>
              <td class="number">{formatNumber(Number(line.quantity))}</td>
              <td class="number">{line.unitPrice === undefined ? '' : formatUnitPrice(Number(line.unitPrice), charges.currency)}</td>
              <td class="number">{formatMoney(Number(line.totals.total), charges.currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>
              Total so far
            </th>
            <td class="number" data-testid="bill-total">
              {formatMoney(Number(charges.totals.total), charges.currency)}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
