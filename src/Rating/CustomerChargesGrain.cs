using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Pricing;

namespace Tally.Rating;

/// <summary>
/// Computes the current period's charges on demand through <see cref="ChargeCalculator"/> and keeps
/// the answer for <see cref="Freshness"/>. The period comes from the injected clock, so a bill rolls
/// over to the new month at 00:00 UTC on the first.
/// </summary>
public sealed class CustomerChargesGrain(ICustomerCharges calculator, TimeProvider clock) : Grain, ICustomerChargesGrain
{
    internal static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private ChargesSnapshot? _cached;

    public async Task<ChargesSnapshot?> GetCurrentAsync()
    {
        var now = clock.GetUtcNow();
        if (_cached is not null && now.UtcDateTime - _cached.CalculatedAt < Freshness && now.UtcDateTime < _cached.PeriodTo)
        {
            return _cached;
        }

        var key = this.GetPrimaryKeyString();
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var charges = await calculator.CalculateAsync(key[..slash], key[(slash + 1)..], BillingPeriod.Containing(now), CancellationToken.None);
        _cached = charges is null ? null : new ChargesSnapshot(
            charges.Customer.Id,
            charges.Customer.Key,
            charges.Plan.Key,
            charges.Total.Currency.Code,
            charges.From.UtcDateTime,
            charges.To.UtcDateTime,
            [.. charges.Lines.Select(line => new ChargeLine(line.RateCardKey, line.MeterSlug, line.Quantity, line.UnitPrice, line.Amount.Amount))],
            charges.Total.Amount,
            now.UtcDateTime);
        return _cached;
    }
}
