using System.Globalization;
using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.ClickHouse.Usage;

/// <summary>
/// Usage totals as Rating and the Invoicer read them: whole hours from the hourly roll-ups where they
/// are up to date, everything else (partial hours at the edges, hours changed since their roll-up)
/// from the stored events, merged as aggregate states in one statement, so the answer is always the
/// events' own aggregate, however far the roll-ups have got.
/// </summary>
public sealed class UsageReader(IClickHouse clickHouse) : IUsageReader
{
    public async Task<decimal> GetTotalAsync(
        MeterDefinition meter,
        IReadOnlyList<string> subjects,
        DateTimeOffset from,
        DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        if (subjects.Count == 0 || from >= to)
        {
            return 0m;
        }

        var firstHour = new DateTimeOffset(from.UtcTicks + TimeSpan.TicksPerHour - 1 - ((from.UtcTicks + TimeSpan.TicksPerHour - 1) % TimeSpan.TicksPerHour), TimeSpan.Zero);
        var endHour = new DateTimeOffset(to.UtcTicks - (to.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
        var stale = firstHour < endHour ? await StaleHoursAsync(meter, firstHour, endHour, cancellationToken) : [];
        var events = MeterSql.States(
            meter,
            "",
            from,
            to,
            [.. subjects],
            "NOT (time >= {h0:DateTime('UTC')} AND time < {h1:DateTime('UTC')}) OR toStartOfHour(time) IN {stale:Array(DateTime('UTC'))}",
            "");
        events.AddParameters(new Dictionary<string, object?>
        {
            ["h0"] = firstHour.UtcDateTime,
            ["h1"] = (endHour > firstHour ? endHour : firstHour).UtcDateTime,
            ["stale"] = stale.Select(hour => hour.UtcDateTime).ToArray(),
            ["meter_id"] = meter.Id,
        });
        var sql = $"""
            SELECT {MeterSql.MergedValue(meter.Aggregation)} FROM (
                {events.Text}
                UNION ALL
                SELECT total, events, numbers, smallest, largest, distinct_values, latest FROM usage_hourly FINAL
                WHERE tenant_id = {"{tenant:String}"} AND meter_id = {"{meter_id:String}"} AND subject IN {"{subjects:Array(String)}"}
                  AND hour >= {"{h0:DateTime('UTC')}"} AND hour < {"{h1:DateTime('UTC')}"} AND hour NOT IN {"{stale:Array(DateTime('UTC'))}"}
            )
            """;
        var totals = await clickHouse.QueryAsync(sql, events.Parameters, record => (Value: record.GetString(0), Count: Convert.ToInt64(record.GetValue(1), CultureInfo.InvariantCulture)), cancellationToken);
        return totals.Count == 0 || totals[0].Count == 0 ? 0m : MeterQueryReader.Value(meter, totals[0].Value);
    }

    private Task<IReadOnlyList<DateTimeOffset>> StaleHoursAsync(MeterDefinition meter, DateTimeOffset firstHour, DateTimeOffset endHour, CancellationToken cancellationToken) =>
        clickHouse.QueryAsync(
            """
            SELECT toUnixTimestamp(t.hour)
            FROM (SELECT hour, max(touched_at) AS touched FROM usage_touches
                  WHERE tenant_id = {tenant:String} AND hour >= {h0:DateTime('UTC')} AND hour < {h1:DateTime('UTC')} GROUP BY hour) AS t
            LEFT JOIN (SELECT hour, max(through) AS through FROM usage_rollups
                       WHERE tenant_id = {tenant:String} AND meter_id = {meter:String} AND hour >= {h0:DateTime('UTC')} AND hour < {h1:DateTime('UTC')} GROUP BY hour) AS d ON t.hour = d.hour
            WHERE d.through < t.touched
            """,
            new Dictionary<string, object?> { ["tenant"] = meter.TenantId, ["meter"] = meter.Id, ["h0"] = firstHour.UtcDateTime, ["h1"] = endHour.UtcDateTime },
            record => DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(record.GetValue(0), CultureInfo.InvariantCulture)),
            cancellationToken);
}
