using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Rating;
using Tally.Billing.Subscriptions;

namespace Tally.Rating.Billing;

/// <summary>
/// Every subscribed customer's live bill of its current billing period, from its rating grain
/// (<see cref="ILiveBills"/>), in OpenMeter's gathering-invoice shape.
/// </summary>
public sealed class GatheringInvoices(ICustomerStore customers, ISubscriptionStore subscriptions, ILiveBills bills, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) : IGatheringInvoices
{
    public async Task<IReadOnlyList<JsonElement>> ListAsync(string tenantId, IReadOnlyCollection<string> customerIds, bool withLines, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // A subscription in force in its current period is in force within a month of now (periods are a month long at most).
        var subscribed = (await subscriptions.ListInForceAsync(tenantId, now.AddDays(-32), now.AddDays(32), cancellationToken)).Select(s => s.CustomerId).ToHashSet(StringComparer.Ordinal);
        var invoices = new List<JsonElement>();
        foreach (var customer in await customers.ListAsync(tenantId, cancellationToken))
        {
            if (!subscribed.Contains(customer.Id) || (customerIds.Count > 0 && !customerIds.Contains(customer.Id)))
            {
                continue;
            }

            if (await bills.CurrentAsync(tenantId, customer.Id, cancellationToken) is { } bill)
            {
                invoices.Add(JsonSerializer.SerializeToElement(GatheringInvoice.From(customer, bill, withLines, now), RatingJson.Options));
            }
        }

        return invoices;
    }
}
