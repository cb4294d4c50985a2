using System.Globalization;
using System.Text;
using Tally.Billing.Closing;
using Tally.Billing.Meters;

namespace Tally.ClickHouse.Usage;

/// <summary>
/// Usage frozen for a period close: the meter's aggregate per customer over <c>events FINAL</c> stored up
/// to a cutoff read from ClickHouse's own clock (<c>stored_at</c> is filled by the same clock), one
/// statement per meter for all the customers of a batch.
/// </summary>
public sealed class ClosingUsage(IClickHouse clickHouse) : IClosingUsage
{
    public async Task<DateTimeOffset> CutoffAsync(CancellationToken cancellationToken)
    {
        var now = await clickHouse.QueryAsync("SELECT toUnixTimestamp64Milli(now64(3, 'UTC'))", null, record => Convert.ToInt64(record.GetValue(0), CultureInfo.InvariantCulture), cancellationToken);
        return DateTimeOffset.FromUnixTimeMilliseconds(now[0]);
    }

    public async Task<IReadOnlyDictionary<string, decimal>> TotalsByCustomerAsync(
        MeterDefinition meter,
        IReadOnlyDictionary<string, IReadOnlyList<string>> filterGroupBy,
        IReadOnlyDictionary<string, string> customerBySubject,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset cutoff,
        CancellationToken cancellationToken)
    {
        if (customerBySubject.Count == 0 || from >= to)
        {
            return new Dictionary<string, decimal>();
        }

        var (condition, parameters) = Conditions(meter, filterGroupBy, null, cutoff);
        var states = MeterSql.States(meter, "transform(subject, {cs:Array(String)}, {cc:Array(String)}, '') AS customer, ", from, to, [.. customerBySubject.Keys], condition, "customer");
        parameters["cs"] = customerBySubject.Keys.ToArray();
        parameters["cc"] = customerBySubject.Values.ToArray();
        states.AddParameters(parameters);
        var rows = await clickHouse.QueryAsync(
            $"SELECT customer, {MeterSql.MergedValue(meter.Aggregation)} FROM ({states.Text}) GROUP BY customer HAVING n > 0",
            states.Parameters,
            record => (Customer: record.GetString(0), Value: record.GetString(1)),
            cancellationToken);
        return rows.ToDictionary(r => r.Customer, r => MeterQueryReader.Value(meter, r.Value), StringComparer.Ordinal);
    }

    public async Task<long> CountEventsAsync(
        MeterDefinition meter,
        IReadOnlyDictionary<string, IReadOnlyList<string>> filterGroupBy,
        IReadOnlyList<string> subjects,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset? storedAfter,
        DateTimeOffset storedUntil,
        CancellationToken cancellationToken)
    {
        if (subjects.Count == 0 || from >= to)
        {
            return 0;
        }

        var (condition, parameters) = Conditions(meter, filterGroupBy, storedAfter, storedUntil);
        var states = MeterSql.States(meter, "", from, to, [.. subjects], condition, "");
        states.AddParameters(parameters);
        var rows = await clickHouse.QueryAsync(
            $"SELECT countMerge(events) FROM ({states.Text})",
            states.Parameters,
            record => Convert.ToInt64(record.GetValue(0), CultureInfo.InvariantCulture),
            cancellationToken);
        return rows[0];
    }

    private static (string Condition, Dictionary<string, object?> Parameters) Conditions(
        MeterDefinition meter,
        IReadOnlyDictionary<string, IReadOnlyList<string>> filterGroupBy,
        DateTimeOffset? storedAfter,
        DateTimeOffset storedUntil)
    {
        var parameters = new Dictionary<string, object?> { ["stored_until"] = storedUntil.UtcDateTime };
        var condition = new StringBuilder("stored_at <= {stored_until:DateTime64(3, 'UTC')}");
        if (storedAfter is { } after)
        {
            parameters["stored_after"] = after.UtcDateTime;
            condition.Append(" AND stored_at > {stored_after:DateTime64(3, 'UTC')}");
        }

        var index = 0;
        foreach (var (name, values) in filterGroupBy.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            index++;
            parameters[$"cfp{index}"] = JsonPath.Parse(meter.GroupBy[name]).Canonical;
            parameters[$"cfv{index}"] = values.ToArray();
            condition.Append(CultureInfo.InvariantCulture, $" AND JSON_VALUE(data, {{cfp{index}:String}}) IN {{cfv{index}:Array(String)}}");
        }

        return (condition.ToString(), parameters);
    }
}
