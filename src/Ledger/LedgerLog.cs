using Microsoft.Extensions.Logging;
using Tally.Billing.Invoices;
using Tally.Billing.Tenants;

namespace Tally.Ledger;

/// <summary>Every log message of the ledger, with stable event ids (2100-2199).</summary>
internal static partial class LedgerLog
{
    [LoggerMessage(2100, LogLevel.Information, "Ledger opened: {Provider} at {Target}")]
    public static partial void Opened(ILogger logger, string provider, string target);

    [LoggerMessage(2101, LogLevel.Information, "Ledger migration {Version} ({Name}) applied")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);

    [LoggerMessage(2102, LogLevel.Debug, "Ledger schema is current at version {Version}")]
    public static partial void SchemaCurrent(ILogger logger, int version);

    [LoggerMessage(2103, LogLevel.Information, "Tenant {TenantId} created with API key {KeyPrefix}...")]
    public static partial void TenantCreated(ILogger logger, string tenantId, string keyPrefix);

    [LoggerMessage(2104, LogLevel.Information, "Invoice {InvoiceNumber} ({InvoiceId}) issued to customer {CustomerId} of tenant {TenantId}")]
    public static partial void InvoiceCreated(ILogger logger, string invoiceNumber, string invoiceId, string customerId, string tenantId);

    [LoggerMessage(2105, LogLevel.Debug, "Invoice for customer {CustomerId} of tenant {TenantId} in {Period} already exists as {InvoiceNumber}")]
    public static partial void InvoiceExisted(ILogger logger, string customerId, string tenantId, string period, string invoiceNumber);
}
