using Microsoft.Extensions.Logging;
using Tally.Billing;
using Tally.Billing.Invoices;
using Tally.Billing.Tenants;

namespace Tally.Invoicer;

/// <summary>Invoicer's log messages (event ids 4000-4099).</summary>
internal static partial class InvoicerLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Tenant {TenantId}: issued invoice {Number} to {CustomerKey} for {Total} {Currency}")]
    public static partial void Issued(ILogger logger, string tenantId, string number, string customerKey, decimal total, string currency);
}
