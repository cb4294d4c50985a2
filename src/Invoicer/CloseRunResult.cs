using Tally.Billing;
using Tally.Billing.Invoices;

namespace Tally.Invoicer;

/// <summary>What one period close did for a tenant: every invoice of the period, and which this run created.</summary>
public sealed record CloseRunResult(string TenantId, BillingPeriod Period, IReadOnlyList<ClosedInvoice> Invoices);

/// <summary>An invoice of a close run; <see cref="Created"/> is false when an earlier run had already issued it.</summary>
public sealed record ClosedInvoice(Invoice Invoice, bool Created);

/// <summary>Raised when a period is closed before it has ended.</summary>
public sealed class PeriodNotEndedException(BillingPeriod period)
    : Exception($"Period {period} ends at {period.To:yyyy-MM-ddTHH:mm:ssZ}; it can be closed after that.")
{
    public BillingPeriod Period { get; } = period;
}
