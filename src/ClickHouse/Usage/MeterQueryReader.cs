using System.Globalization;
using System.Text;
using Tally.Billing.Usage;

namespace Tally.ClickHouse.Usage;

/// <summary>Runs <see cref="MeterQuery"/> against the per-minute usage table with one ClickHouse statement.</summary>
public sealed class MeterQueryReader(IClickHouse clickHouse) : IMeterQueryReader
{
    public async Task<IReadOnlyList<MeterQueryRow>> QueryAsync(MeterQuery query, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?>
        {
            ["tenant"] = query.TenantId,
            ["meter"] = query.MeterId,
            ["from"] = query.From.UtcDateTime,
            ["to"] = query.To.UtcDateTime,
        };
        var window = query.WindowSize switch
        {
            WindowSize.Minute => "toStartOfMinute(window_start)",
            WindowSize.Hour => "toStartOfHour(window_start)",
            WindowSize.Day => "toStartOfDay(window_start)",
            _ => "toDateTime(0, 'UTC')",
        };

        var select = new StringBuilder($"SELECT toUnixTimestamp({window}) AS ws, ");
        select.Append(query.GroupBySubject ? "subject" : "''").Append(" AS s");
        for (var i = 0; i < query.GroupBy.Count; i++)
        {
            parameters[$"g{i}"] = query.GroupBy[i];
            select.Append($", JSONExtract(group_by, {{g{i}:String}}, 'Nullable(String)') AS g{i}");
        }

        select.Append(", toString(sum(value)) AS v, toUnixTimestamp(min(window_start)) AS first, toUnixTimestamp(max(window_start)) AS last FROM usage_minutes FINAL");
        select.Append(" WHERE tenant_id = {tenant:String} AND meter_id = {meter:String}");
        select.Append(" AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}");
        if (query.Subjects.Count > 0)
        {
            parameters["subjects"] = query.Subjects.ToArray();
            select.Append(" AND subject IN {subjects:Array(String)}");
        }

        var filterIndex = 0;
        foreach (var (key, value) in query.FilterGroupBy)
        {
            parameters[$"fk{filterIndex}"] = key;
            parameters[$"fv{filterIndex}"] = value;
            select.Append($" AND JSONExtractString(group_by, {{fk{filterIndex}:String}}) = {{fv{filterIndex}:String}}");
            filterIndex++;
        }

        select.Append(" GROUP BY ws, s");
        for (var i = 0; i < query.GroupBy.Count; i++)
        {
            select.Append($", g{i}");
        }

        select.Append(" ORDER BY ws, s");
        var groupCount = query.GroupBy.Count;
        return await clickHouse.QueryAsync(select.ToString(), parameters, record =>
        {
            // Without a window size one value covers the query range; an open end reports the data's own range.
            var windowStart = query.WindowSize is null
                ? (query.FromGiven ? query.From : Seconds(record.GetValue(3 + groupCount)))
                : Seconds(record.GetValue(0));
            var windowEnd = query.WindowSize switch
            {
                WindowSize.Minute => windowStart.AddMinutes(1),
                WindowSize.Hour => windowStart.AddHours(1),
                WindowSize.Day => windowStart.AddDays(1),
                _ => query.ToGiven ? query.To : Seconds(record.GetValue(4 + groupCount)).AddMinutes(1),
            };
            var groups = new Dictionary<string, string?>(groupCount, StringComparer.Ordinal);
            for (var i = 0; i < groupCount; i++)
            {
                groups[query.GroupBy[i]] = record.IsDBNull(2 + i) ? null : record.GetString(2 + i);
            }

            return new MeterQueryRow(
                windowStart,
                windowEnd,
                query.GroupBySubject ? record.GetString(1) : null,
                groups,
                decimal.Parse(record.GetString(2 + groupCount), NumberStyles.Float, CultureInfo.InvariantCulture));
        }, cancellationToken);
    }

    private static DateTimeOffset Seconds(object value) => DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(value, CultureInfo.InvariantCulture));
}
