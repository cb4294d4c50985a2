using System.Globalization;
using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.ClickHouse.Usage;

/// <summary>Hourly roll-ups in <c>usage_hourly</c>, tracked by <c>usage_touches</c> and <c>usage_rollups</c> (see <see cref="UsageSchema"/>).</summary>
public sealed class UsageRollups(IClickHouse clickHouse) : IUsageRollups
{
    public Task<IReadOnlyList<PendingHour>> PendingAsync(MeterDefinition meter, DateTimeOffset settledBefore, int limit, CancellationToken cancellationToken) =>
        clickHouse.QueryAsync(
            """
            SELECT toUnixTimestamp(t.hour), toUnixTimestamp64Micro(t.touched)
            FROM (SELECT hour, max(touched_at) AS touched FROM usage_touches WHERE tenant_id = {tenant:String} AND hour < {settled:DateTime('UTC')} GROUP BY hour) AS t
            LEFT JOIN (SELECT hour, max(through) AS through FROM usage_rollups WHERE tenant_id = {tenant:String} AND meter_id = {meter:String} GROUP BY hour) AS d ON t.hour = d.hour
            WHERE d.through < t.touched
            ORDER BY t.hour
            LIMIT {limit:UInt32}
            """,
            new Dictionary<string, object?> { ["tenant"] = meter.TenantId, ["meter"] = meter.Id, ["settled"] = settledBefore.UtcDateTime, ["limit"] = (uint)limit },
            record => new PendingHour(Seconds(record.GetValue(0)), DateTimeOffset.UnixEpoch.AddTicks(Convert.ToInt64(record.GetValue(1), CultureInfo.InvariantCulture) * 10)),
            cancellationToken);

    public async Task RollUpAsync(MeterDefinition meter, PendingHour hour, CancellationToken cancellationToken)
    {
        var states = MeterSql.States(meter, "tenant_id, {meter_id:String} AS meter_id, {hour:DateTime('UTC')} AS hour, subject, now64(6, 'UTC') AS version, ", hour.Hour, hour.Hour.AddHours(1), null, null, "tenant_id, subject");
        states.AddParameters(new Dictionary<string, object?> { ["meter_id"] = meter.Id, ["hour"] = hour.Hour.UtcDateTime });
        await clickHouse.ExecuteAsync(
            "INSERT INTO usage_hourly (tenant_id, meter_id, hour, subject, version, total, events, numbers, smallest, largest, distinct_values, latest) " + states.Text,
            states.Parameters,
            cancellationToken);
        // Only now the hour counts as rolled up through its touch; a later touch makes it pending again.
        await clickHouse.ExecuteAsync(
            "INSERT INTO usage_rollups (tenant_id, meter_id, hour, through) VALUES ({tenant:String}, {meter:String}, {hour:DateTime('UTC')}, fromUnixTimestamp64Micro({through:Int64}, 'UTC'))",
            new Dictionary<string, object?>
            {
                ["tenant"] = meter.TenantId,
                ["meter"] = meter.Id,
                ["hour"] = hour.Hour.UtcDateTime,
                ["through"] = (hour.TouchedAt - DateTimeOffset.UnixEpoch).Ticks / 10,
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<HourDifference>> ReconcileAsync(MeterDefinition meter, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var hourly = "toStartOfHour(time) AS hour, ";
        var events = MeterSql.States(meter, hourly, from, to, null, null, "hour");
        var merged = MeterSql.MergedValue(meter.Aggregation);
        var sql = $$"""
            SELECT toUnixTimestamp(hour), r.v, r.e, e.v, e.e, p.stale
            FROM (SELECT hour, {{merged}}, countMerge(events) AS e FROM usage_hourly FINAL
                  WHERE tenant_id = {tenant:String} AND meter_id = {meter_id:String} AND hour >= {rfrom:DateTime('UTC')} AND hour < {rto:DateTime('UTC')} GROUP BY hour) AS r
            FULL OUTER JOIN (SELECT hour, {{merged}}, countMerge(events) AS e FROM ({{events.Text}}) GROUP BY hour) AS e USING hour
            LEFT JOIN (SELECT t.hour AS hour, t.touched > d.through AS stale
                       FROM (SELECT hour, max(touched_at) AS touched FROM usage_touches WHERE tenant_id = {tenant:String} GROUP BY hour) AS t
                       LEFT JOIN (SELECT hour, max(through) AS through FROM usage_rollups WHERE tenant_id = {tenant:String} AND meter_id = {meter_id:String} GROUP BY hour) AS d ON t.hour = d.hour) AS p USING hour
            WHERE r.v != e.v OR r.e != e.e OR p.stale
            ORDER BY hour
            """;
        var parameters = new Dictionary<string, object?>(events.Parameters)
        {
            ["meter_id"] = meter.Id,
            ["rfrom"] = from.UtcDateTime,
            ["rto"] = to.UtcDateTime,
        };
        return await clickHouse.QueryAsync(sql, parameters, record => new HourDifference(
            Seconds(record.GetValue(0)),
            Value(record, 1, 2),
            Value(record, 3, 4),
            Convert.ToInt64(record.GetValue(2), CultureInfo.InvariantCulture),
            Convert.ToInt64(record.GetValue(4), CultureInfo.InvariantCulture),
            Convert.ToBoolean(record.GetValue(5), CultureInfo.InvariantCulture)), cancellationToken);
    }

    private static decimal? Value(System.Data.IDataRecord record, int value, int count) =>
        Convert.ToInt64(record.GetValue(count), CultureInfo.InvariantCulture) == 0 || record.IsDBNull(value)
            ? null
            : decimal.TryParse(record.GetString(value), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;

    private static DateTimeOffset Seconds(object value) => DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(value, CultureInfo.InvariantCulture));
}
