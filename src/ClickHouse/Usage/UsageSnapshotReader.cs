using System.Data;
using System.Globalization;
using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.ClickHouse.Usage;

/// <summary>
/// The rating grain's usage snapshot: first the cut (the last log position stored per subject and log
/// partition), then each meter's plain aggregate parts per window, over <c>events FINAL</c> restricted
/// to positions at or below the cut, so the answer and the cut describe the same set of events.
/// </summary>
public sealed class UsageSnapshotReader(IClickHouse clickHouse) : IUsageSnapshotReader
{
    private const string CutKey = "concat(subject, '|', toString(log_partition))";

    public async Task<UsageSnapshot> ReadAsync(string tenantId, IReadOnlyList<string> subjects, IReadOnlyList<SnapshotRequest> requests, CancellationToken cancellationToken)
    {
        var states = new Dictionary<(string, DateTimeOffset, DateTimeOffset), UsageState>();
        if (subjects.Count == 0)
        {
            return new UsageSnapshot(states, new Dictionary<(string, int), long>());
        }

        var cut = await clickHouse.QueryAsync(
            "SELECT subject, toInt32(log_partition), toInt64(max(log_position)) FROM events WHERE tenant_id = {tenant:String} AND subject IN {subjects:Array(String)} GROUP BY subject, log_partition",
            new Dictionary<string, object?> { ["tenant"] = tenantId, ["subjects"] = subjects.ToArray() },
            record => (Subject: record.GetString(0), Partition: Convert.ToInt32(record.GetValue(1), CultureInfo.InvariantCulture), Position: Convert.ToInt64(record.GetValue(2), CultureInfo.InvariantCulture)),
            cancellationToken);
        var watermarks = cut.ToDictionary(row => (row.Subject, row.Partition), row => row.Position);
        if (watermarks.Count == 0)
        {
            // No event of these subjects is stored: every window is empty, no need to ask per meter
            // (the common case when a new customer's grain activates; the store runs one query at a time).
            return new UsageSnapshot(states, watermarks);
        }

        foreach (var request in requests.Where(r => r.Windows.Count > 0))
        {
            var cuts = request.Windows.Select(w => w.From).Append(request.Windows[^1].To).ToArray();
            var aggregation = request.Meter.Aggregation;
            var sql = MeterSql.Select(
                request.Meter,
                (raw, number) => $"arrayFirstIndex(b -> b > time, {{cuts:Array(DateTime64(3, 'UTC'))}}) - 2 AS w, toString(sum({number})), count(), count({number}), toString(min({number})), toString(max({number})), "
                    + (aggregation == MeterAggregation.UniqueCount ? $"groupUniqArrayIf({raw}, {raw} NOT IN ('', 'null'))" : "CAST([] AS Array(String))") + ", "
                    + (aggregation == MeterAggregation.Latest
                        ? $"toString(argMaxIf({number}, (time, source, id), isNotNull({number}))), argMaxIf(source, (time, source, id), isNotNull({number})), argMaxIf(id, (time, source, id), isNotNull({number})), toInt64(toUnixTimestamp64Milli(argMaxIf(time, (time, source, id), isNotNull({number}))))"
                        : "'', '', '', toInt64(0)"),
                cuts[0],
                cuts[^1],
                [.. subjects],
                $"toInt64(log_position) <= transform({CutKey}, {{wk:Array(String)}}, {{wv:Array(Int64)}}, toInt64(-1))",
                "w");
            sql.AddParameters(new Dictionary<string, object?>
            {
                ["cuts"] = cuts.Select(c => c.UtcDateTime).ToArray(),
                ["wk"] = watermarks.Keys.Select(k => $"{k.Subject}|{k.Partition}").ToArray(),
                ["wv"] = watermarks.Values.ToArray(),
            });
            var rows = await clickHouse.QueryAsync(sql.Text, sql.Parameters, record => Read(record, aggregation), cancellationToken);
            foreach (var (window, state) in rows)
            {
                if (window >= 0 && window < request.Windows.Count)
                {
                    states[(request.Key, request.Windows[window].From, request.Windows[window].To)] = state;
                }
            }
        }

        return new UsageSnapshot(states, watermarks);
    }

    private static (int Window, UsageState State) Read(IDataRecord record, MeterAggregation aggregation)
    {
        var numbers = Convert.ToInt64(record.GetValue(3), CultureInfo.InvariantCulture);
        var state = new UsageState(aggregation)
        {
            Sum = numbers == 0 ? 0m : Number(record.GetString(1)),
            Events = Convert.ToInt64(record.GetValue(2), CultureInfo.InvariantCulture),
            Numbers = numbers,
            Min = numbers == 0 ? null : Number(record.GetString(4)),
            Max = numbers == 0 ? null : Number(record.GetString(5)),
        };
        if (aggregation == MeterAggregation.UniqueCount && record.GetValue(6) is string[] distinct)
        {
            state.Distinct = new HashSet<string>(distinct, StringComparer.Ordinal);
        }

        if (aggregation == MeterAggregation.Latest && numbers > 0)
        {
            state.Latest = new LatestValue(
                DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(record.GetValue(10), CultureInfo.InvariantCulture)),
                record.GetString(8),
                record.GetString(9),
                Number(record.GetString(7)));
        }

        return (Convert.ToInt32(record.GetValue(0), CultureInfo.InvariantCulture), state);
    }

    private static decimal Number(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
