using System.Globalization;
using Tally.Billing.Usage;

namespace Tally.ClickHouse.Usage;

/// <summary>Usage totals as Rating and the Invoicer read them, from the per-minute usage table.</summary>
public sealed class UsageReader(IClickHouse clickHouse) : IUsageReader
{
    public async Task<decimal> GetTotalAsync(
        string tenantId,
        string meterId,
        IReadOnlyList<string> subjects,
        DateTimeOffset from,
        DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        if (subjects.Count == 0)
        {
            return 0m;
        }

        var totals = await clickHouse.QueryAsync(
            """
            SELECT toString(sum(value)) FROM usage_minutes FINAL
            WHERE tenant_id = {tenant:String} AND meter_id = {meter:String} AND subject IN {subjects:Array(String)}
              AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}
            """,
            new Dictionary<string, object?>
            {
                ["tenant"] = tenantId,
                ["meter"] = meterId,
                ["subjects"] = subjects.ToArray(),
                ["from"] = from.UtcDateTime,
                ["to"] = to.UtcDateTime,
            },
            record => decimal.Parse(record.GetString(0), NumberStyles.Float, CultureInfo.InvariantCulture),
            cancellationToken);
        return totals.Count == 0 ? 0m : totals[0];
    }
}
