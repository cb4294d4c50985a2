import { formatMoney, formatNumber, formatUnitPrice } from '../time';
import { TableHead } from './TableHead';

export interface BillRow {
  id: string;
  name: string;
  note?: string | null;
  quantity: string;
  unitPrice?: string | null;
  amount: string;
}

interface Props {
  rows: BillRow[];
  currency: string;
  caption: string;
  totalLabel: string;
  total: string;
  totalTestId: string;
  testId?: string;
}

/** A bill's lines (quantity, unit price, amount) and its total: the live bill's and a closed invoice's. */
export function BillTable({ rows, currency, caption, totalLabel, total, totalTestId, testId }: Props) {
  return (
    <table class="bill" data-testid={testId}>
      <caption class="visually-hidden">{caption}</caption>
      <TableHead columns={['Line', { label: 'Quantity', number: true }, { label: 'Unit price', number: true }, { label: 'Amount', number: true }]} />
      <tbody>
        {rows.map((row) => (
          <tr key={row.id}>
            <th scope="row">
              {row.name}
              {row.note ? <span class="muted small"> ({row.note})</span> : null}
            </th>
            <td class="number">{formatNumber(Number(row.quantity))}</td>
            <td class="number">{row.unitPrice == null ? '' : formatUnitPrice(Number(row.unitPrice), currency)}</td>
            <td class="number">{formatMoney(Number(row.amount), currency)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            {totalLabel}
          </th>
          <td class="number" data-testid={totalTestId}>
            {formatMoney(Number(total), currency)}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
