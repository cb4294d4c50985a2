using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.ClickHouse.Usage;

/// <summary>Usage totals as Rating and the Invoicer read them: the meter's aggregate over a range, from the stored events.</summary>
public sealed class UsageReader(IClickHouse clickHouse) : IUsageReader
{
    public async Task<decimal> GetTotalAsync(
        MeterDefinition meter,
        IReadOnlyList<string> subjects,
        DateTimeOffset from,
        DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        if (subjects.Count == 0)
        {
            return 0m;
        }

        var sql = MeterSql.Query(new MeterQuery(meter, from, to, WindowSize: null) { Subjects = subjects });
        var totals = await clickHouse.QueryAsync(sql.Text, sql.Parameters, record => record.GetString(4), cancellationToken);
        return totals.Count == 0 ? 0m : MeterQueryReader.Value(meter, totals[0]);
    }
}
