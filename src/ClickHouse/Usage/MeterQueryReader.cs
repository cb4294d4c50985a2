using System.Data;
using System.Globalization;
using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.ClickHouse.Usage;

/// <summary>Meter queries over the stored events, one ClickHouse statement each (see <see cref="MeterSql"/>).</summary>
public sealed class MeterQueryReader(IClickHouse clickHouse) : IMeterQueryReader
{
    public async Task<IReadOnlyList<MeterQueryRow>> QueryAsync(MeterQuery query, CancellationToken cancellationToken)
    {
        var sql = MeterSql.Query(query);
        var groups = query.GroupBy.Count;
        return await clickHouse.QueryAsync(sql.Text, sql.Parameters, record =>
        {
            var groupBy = new Dictionary<string, string>(groups, StringComparer.Ordinal);
            for (var i = 0; i < groups; i++)
            {
                groupBy[query.GroupBy[i]] = record.GetString(4 + i);
            }

            // Without a window size one value covers the query range; an open end reports the data's own minutes.
            var start = query.WindowSize is null && query.From is { } from ? from : Seconds(record, 0);
            var end = query.WindowSize is null && query.To is { } to ? to : Seconds(record, 1);
            return new MeterQueryRow(
                start,
                end,
                query.GroupBySubject ? record.GetString(2) : null,
                query.GroupByCustomer ? record.GetString(3) : null,
                groupBy,
                Value(query.Meter, record.GetString(4 + groups)));
        }, cancellationToken);
    }

    public Task<IReadOnlyList<string>> GroupByValuesAsync(MeterDefinition meter, string groupBy, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var sql = MeterSql.Distinct(meter, groupBy, from, to);
        return clickHouse.QueryAsync(sql.Text, sql.Parameters, record => record.GetString(0), cancellationToken);
    }

    public Task<IReadOnlyList<string>> SubjectsAsync(MeterDefinition meter, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var sql = MeterSql.Distinct(meter, null, from, to);
        return clickHouse.QueryAsync(sql.Text, sql.Parameters, record => record.GetString(0), cancellationToken);
    }

    /// <summary>The aggregate ClickHouse computed in Decimal256, as a decimal, or an overflow the caller answers as such.</summary>
    internal static decimal Value(MeterDefinition meter, string text) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageOverflowException(meter.Slug, text);

    private static DateTimeOffset Seconds(IDataRecord record, int ordinal) =>
        DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(record.GetValue(ordinal), CultureInfo.InvariantCulture));
}
