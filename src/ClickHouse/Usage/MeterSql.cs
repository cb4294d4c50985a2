using System.Text;
using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.ClickHouse.Usage;

/// <summary>
/// The one SQL text of a meter query over <c>events FINAL</c>, the same on chDB and a ClickHouse server.
/// Values are read with <c>JSON_VALUE</c> and parsed as Decimal256 (exact, and far beyond what a
/// billing amount needs, so sums never overflow in the store); an event whose value is missing or not
/// a number adds nothing, and a group with no number has no row (as in OpenMeter). Windows are
/// calendar windows in the query's IANA time zone (DST-correct: a DAY is 23 or 25 hours on a switch).
/// </summary>
internal sealed class MeterSql
{
    private readonly StringBuilder _sql = new();
    private readonly Dictionary<string, object?> _parameters = [];
    private readonly List<string> _groupColumns = [];

    private MeterSql(MeterDefinition meter) => Meter = meter;

    public MeterDefinition Meter { get; }

    public string Text => _sql.ToString();

    public IReadOnlyDictionary<string, object?> Parameters => _parameters;

    /// <summary>
    /// Columns, in order: <c>ws, we</c> (window, Unix seconds), <c>subject</c>, <c>customer</c>, one
    /// <c>g{i}</c> per groupBy, then <c>v</c> (the aggregate as text) and <c>n</c> (how many values it folded).
    /// </summary>
    public static MeterSql Query(MeterQuery query)
    {
        var sql = new MeterSql(query.Meter);
        var (start, end) = Window(query.WindowSize);
        sql._parameters["tz"] = query.TimeZone;
        sql._sql.Append("SELECT toUnixTimestamp(").Append(start).Append(") AS ws, toUnixTimestamp(").Append(end).Append(") AS we, ");
        sql._sql.Append(query.GroupBySubject ? "subject" : "''").Append(" AS s, ");
        if (query.CustomerBySubject is { } customers && query.GroupByCustomer)
        {
            sql._parameters["cs"] = customers.Keys.ToArray();
            sql._parameters["cc"] = customers.Values.ToArray();
            sql._sql.Append("transform(subject, {cs:Array(String)}, {cc:Array(String)}, '')");
        }
        else
        {
            sql._sql.Append("''");
        }

        sql._sql.Append(" AS c");
        for (var i = 0; i < query.GroupBy.Count; i++)
        {
            sql._parameters[$"g{i}"] = JsonPath.Parse(query.Meter.GroupBy[query.GroupBy[i]]).Canonical;
            sql._sql.Append(", JSON_VALUE(data, {g").Append(i).Append(":String}) AS g").Append(i);
            sql._groupColumns.Add($"g{i}");
        }

        sql._sql.Append(", ").Append(sql.Aggregate()).Append(" FROM events FINAL");
        sql.Where(query.From, query.To, query.CustomerBySubject?.Keys.ToArray() ?? (query.Subjects.Count > 0 ? [.. query.Subjects] : null));
        var index = 0;
        foreach (var (name, values) in query.FilterGroupBy)
        {
            index++;
            sql._parameters[$"fp{index}"] = JsonPath.Parse(query.Meter.GroupBy[name]).Canonical;
            sql._parameters[$"fv{index}"] = values.ToArray();
            sql._sql.Append(" AND JSON_VALUE(data, {fp").Append(index).Append(":String}) IN {fv").Append(index).Append(":Array(String)}");
        }

        // Without a window size the window is itself an aggregate (first and last event) and not a key.
        sql._sql.Append(query.WindowSize is null ? " GROUP BY s, c" : " GROUP BY ws, we, s, c");
        foreach (var column in sql._groupColumns)
        {
            sql._sql.Append(", ").Append(column);
        }

        sql._sql.Append(query.WindowSize is null ? " HAVING n > 0 ORDER BY s, c" : " HAVING n > 0 ORDER BY ws, s, c");
        foreach (var column in sql._groupColumns)
        {
            sql._sql.Append(", ").Append(column);
        }

        return sql;
    }

    /// <summary>
    /// The distinct values of one of the meter's groupBy properties (or, with <paramref name="groupBy"/>
    /// null, the distinct subjects) of its events in the range, sorted; one column <c>value</c>.
    /// </summary>
    public static MeterSql Distinct(MeterDefinition meter, string? groupBy, DateTimeOffset? from, DateTimeOffset? to)
    {
        var sql = new MeterSql(meter);
        if (groupBy is null)
        {
            sql._sql.Append("SELECT DISTINCT subject AS value FROM events FINAL");
        }
        else
        {
            sql._parameters["gp"] = JsonPath.Parse(meter.GroupBy[groupBy]).Canonical;
            sql._sql.Append("SELECT DISTINCT JSON_VALUE(data, {gp:String}) AS value FROM events FINAL");
        }

        sql.Where(from, to, null);
        sql._sql.Append(" ORDER BY value");
        return sql;
    }

    /// <summary>
    /// The meter's aggregate states over its events in [from, to) that also meet <paramref name="alsoWhere"/>,
    /// grouped by <paramref name="groupBy"/> (SQL expressions, may be empty), in the columns of
    /// <c>usage_hourly</c>: total, events, numbers, smallest, largest, distinct_values, latest.
    /// <paramref name="leading"/> is prepended to the select list (ending with a comma).
    /// </summary>
    public static MeterSql States(MeterDefinition meter, string leading, DateTimeOffset from, DateTimeOffset to, string[]? subjects, string? alsoWhere, string groupBy)
    {
        var sql = new MeterSql(meter);
        var (raw, number) = sql.ValueExpressions();
        sql._sql.Append("SELECT ").Append(leading)
            .Append($"sumState({number}) AS total, countState() AS events, countState({number}) AS numbers, minState({number}) AS smallest, maxState({number}) AS largest, ")
            .Append($"uniqExactStateIf({raw}, {raw} NOT IN ('', 'null')) AS distinct_values, argMaxStateIf({number}, (time, source, id), isNotNull({number})) AS latest FROM events FINAL");
        sql.Where(from, to, subjects, alsoWhere);
        if (groupBy.Length > 0)
        {
            sql._sql.Append(" GROUP BY ").Append(groupBy);
        }

        return sql;
    }

    /// <summary>
    /// A select over the meter's events in [from, to) of <paramref name="subjects"/> that also meet
    /// <paramref name="alsoWhere"/>: <paramref name="columns"/> builds the select list from the value's
    /// JSON text and number expressions; grouped by <paramref name="groupBy"/> (may be empty).
    /// </summary>
    public static MeterSql Select(MeterDefinition meter, Func<string, string, string> columns, DateTimeOffset from, DateTimeOffset to, string[] subjects, string? alsoWhere, string groupBy)
    {
        var sql = new MeterSql(meter);
        var (raw, number) = sql.ValueExpressions();
        sql._sql.Append("SELECT ").Append(columns(raw, number)).Append(" FROM events FINAL");
        sql.Where(from, to, subjects, alsoWhere);
        if (groupBy.Length > 0)
        {
            sql._sql.Append(" GROUP BY ").Append(groupBy);
        }

        return sql;
    }

    /// <summary>The meter's value merged from state columns (see <see cref="States"/>), as text, and how many values it folded.</summary>
    public static string MergedValue(MeterAggregation aggregation) => aggregation switch
    {
        MeterAggregation.Count => "toString(countMerge(events)) AS v, countMerge(events) AS n",
        MeterAggregation.Sum => "toString(sumMerge(total)) AS v, countMerge(numbers) AS n",
        MeterAggregation.Avg => "toString(sumMerge(total) / countMerge(numbers)) AS v, countMerge(numbers) AS n",
        MeterAggregation.Min => "toString(minMerge(smallest)) AS v, countMerge(numbers) AS n",
        MeterAggregation.Max => "toString(maxMerge(largest)) AS v, countMerge(numbers) AS n",
        MeterAggregation.UniqueCount => "toString(uniqExactMerge(distinct_values)) AS v, countMerge(events) AS n",
        MeterAggregation.Latest => "toString(argMaxMerge(latest)) AS v, countMerge(numbers) AS n",
        _ => throw new NotSupportedException($"Aggregation {aggregation}"),
    };

    /// <summary>Adds parameters the caller's own SQL around this text uses.</summary>
    public void AddParameters(IReadOnlyDictionary<string, object?> extra)
    {
        foreach (var (name, value) in extra)
        {
            _parameters[name] = value;
        }
    }

    private static (string Start, string End) Window(WindowSize? size) => size switch
    {
        WindowSize.Minute => ("toStartOfInterval(time, INTERVAL 1 MINUTE, {tz:String})", "toStartOfInterval(time, INTERVAL 1 MINUTE, {tz:String}) + INTERVAL 1 MINUTE"),
        WindowSize.Hour => ("toStartOfInterval(time, INTERVAL 1 HOUR, {tz:String})", "toStartOfInterval(time, INTERVAL 1 HOUR, {tz:String}) + INTERVAL 1 HOUR"),
        WindowSize.Day => ("toStartOfInterval(time, INTERVAL 1 DAY, {tz:String})", "toStartOfInterval(time, INTERVAL 1 DAY, {tz:String}) + INTERVAL 1 DAY"),
        // A month start is a Date; pin it to midnight in the zone before taking its instant.
        WindowSize.Month => ("toDateTime(toStartOfInterval(time, INTERVAL 1 MONTH, {tz:String}), {tz:String})", "toDateTime(toStartOfInterval(time, INTERVAL 1 MONTH, {tz:String}) + INTERVAL 1 MONTH, {tz:String})"),
        // One window for the range: the first and last event's minutes (the reader narrows it to from/to when given).
        _ => ("toStartOfMinute(min(time))", "toStartOfMinute(max(time)) + INTERVAL 1 MINUTE"),
    };

    /// <summary>The value as JSON text and as a number (NULL when not one); constants for meters without a value property.</summary>
    private (string Raw, string Number) ValueExpressions()
    {
        if (Meter.ValueProperty is not { } path)
        {
            return ("''", "CAST(NULL AS Nullable(Decimal(76, 9)))");
        }

        _parameters["vp"] = JsonPath.Parse(path).Canonical;
        return ("JSON_VALUE(data, {vp:String})", "toDecimal256OrNull(JSON_VALUE(data, {vp:String}), 9)");
    }

    private string Aggregate()
    {
        var (raw, number) = ValueExpressions();
        return Meter.Aggregation switch
        {
            MeterAggregation.Count => "toString(count()) AS v, count() AS n",
            MeterAggregation.Sum => $"toString(sum({number})) AS v, count({number}) AS n",
            // The mean of the events themselves (sum over count, 9 decimals), never a mean of window means.
            MeterAggregation.Avg => $"toString(sum({number}) / count({number})) AS v, count({number}) AS n",
            MeterAggregation.Min => $"toString(min({number})) AS v, count({number}) AS n",
            MeterAggregation.Max => $"toString(max({number})) AS v, count({number}) AS n",
            MeterAggregation.UniqueCount => $"toString(uniqExactIf({raw}, {raw} NOT IN ('', 'null'))) AS v, countIf({raw} NOT IN ('', 'null')) AS n",
            // Latest by event time; ties go to the greatest (source, id), so the answer never depends on storage order.
            MeterAggregation.Latest => $"toString(argMaxIf({number}, (time, source, id), isNotNull({number}))) AS v, count({number}) AS n",
            _ => throw new NotSupportedException($"Aggregation {Meter.Aggregation}"),
        };
    }

    private void Where(DateTimeOffset? from, DateTimeOffset? to, string[]? subjects, string? alsoWhere = null)
    {
        _parameters["tenant"] = Meter.TenantId;
        _parameters["type"] = Meter.EventType;
        _sql.Append(" WHERE tenant_id = {tenant:String} AND type = {type:String}");
        var effectiveFrom = Meter.EventFrom is { } eventFrom && (from is null || eventFrom > from) ? eventFrom : from;
        if (effectiveFrom is { } start)
        {
            _parameters["from"] = start.UtcDateTime;
            _sql.Append(" AND time >= {from:DateTime64(3, 'UTC')}");
        }

        if (to is { } end)
        {
            _parameters["to"] = end.UtcDateTime;
            _sql.Append(" AND time < {to:DateTime64(3, 'UTC')}");
        }

        if (subjects is not null)
        {
            _parameters["subjects"] = subjects;
            _sql.Append(" AND subject IN {subjects:Array(String)}");
        }

        for (var i = 0; i < Meter.DataFilter.Count; i++)
        {
            AppendCondition(i, Meter.DataFilter[i]);
        }

        if (alsoWhere is not null)
        {
            _sql.Append(" AND (").Append(alsoWhere).Append(')');
        }
    }

    private void AppendCondition(int i, DataCondition condition)
    {
        _parameters[$"dp{i}"] = JsonPath.Parse(condition.Path).Canonical;
        var value = $"JSON_VALUE(data, {{dp{i}:String}})";
        // JSON_VALUE gives '' for a missing or non-scalar value and 'null' for JSON null: both are "absent".
        var present = $"{value} NOT IN ('', 'null')";
        switch (condition.Operator)
        {
            case DataOperator.Exists:
                _sql.Append(" AND ").Append(condition.Values[0] == "true" ? present : $"NOT ({present})");
                return;
            case DataOperator.Eq or DataOperator.Ne or DataOperator.In or DataOperator.Nin:
                _parameters[$"dv{i}"] = condition.Values.ToArray();
                var member = $"{value} IN {{dv{i}:Array(String)}}";
                _sql.Append(" AND ").Append(condition.Operator is DataOperator.Eq or DataOperator.In
                    ? $"({present} AND {member})"
                    : $"NOT ({present} AND {member})");
                return;
            default:
                _parameters[$"dv{i}"] = condition.Values[0];
                var comparison = condition.Operator switch
                {
                    DataOperator.Gt => ">",
                    DataOperator.Gte => ">=",
                    DataOperator.Lt => "<",
                    _ => "<=",
                };
                _sql.Append(" AND ifNull(toDecimal256OrNull(").Append(value).Append(", 9) ").Append(comparison)
                    .Append($" toDecimal256({{dv{i}:String}}, 9), 0)");
                return;
        }
    }
}
