using System.Text.Json;

namespace Tally.Billing.Invoices;

/// <summary>
/// The live bills of the current period as OpenMeter's gathering invoices (<c>status: gathering</c>),
/// computed on the fly by rating; the invoice list serves them beside the invoices the close stores.
/// </summary>
public interface IGatheringInvoices
{
    /// <summary>The gathering invoice of each subscribed customer in <paramref name="customerIds"/> (every subscribed customer when empty), as response JSON.</summary>
    Task<IReadOnlyList<JsonElement>> ListAsync(string tenantId, IReadOnlyCollection<string> customerIds, bool withLines, CancellationToken cancellationToken);
}
