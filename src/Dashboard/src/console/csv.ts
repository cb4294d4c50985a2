import type { Invoice } from './financeApi';

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading =, +, - or @ is defused for spreadsheets. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const invoiceCsvHeader = ['number', 'invoice_id', 'customer_key', 'customer_name', 'period', 'status', 'currency', 'total', 'issued_at', 'voided_at'];

/** The invoice list as CSV, amounts exactly as the API states them (decimal strings, no rounding or formatting). */
export function invoicesCsv(invoices: Invoice[]): string {
  const rows = invoices.map((invoice) => [
    invoice.number ?? '',
    invoice.id,
    invoice.customer.key ?? '',
    invoice.customer.name ?? '',
    invoice.metadata?.['tally.period'] || invoice.period.from.slice(0, 7),
    invoice.status,
    invoice.currency,
    invoice.totals.total,
    invoice.issuedAt ?? '',
    invoice.voidedAt ?? '',
  ]);
  return [invoiceCsvHeader, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Hands the text to the browser as a file download. */
export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
