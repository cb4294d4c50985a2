using System.Diagnostics;
using System.Globalization;
using Tally.Billing.Meters;
using Tally.Billing.Usage;
using Tally.ClickHouse;
using Tally.ClickHouse.Usage;

namespace Tally.Bench.Queries;

/// <summary>
/// One customer's month (DAY windows) for each aggregation, with 10,000 customers' events stored over
/// ten months: generated inside ClickHouse (the INSERT ... SELECT is not what is measured), then grown
/// from one scale to the next, so the same table shows how latency grows with the events stored. Each
/// event's time is a hash of its number over the ten months, so every scale spreads its events evenly.
/// </summary>
internal sealed class QueryBench(DriverClickHouse clickHouse, int customers, int queriesPerAggregation)
{
    private const string Tenant = "tnt_query";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Span = TimeSpan.FromDays(300);
    private long _stored;

    public async Task GrowToAsync(long events)
    {
        await new UsageSchema(clickHouse).EnsureCreatedAsync(CancellationToken.None);
        const long chunk = 10_000_000;
        while (_stored < events)
        {
            var count = Math.Min(chunk, events - _stored);
            await clickHouse.ExecuteAsync(
                $$"""
                INSERT INTO events (tenant_id, type, subject, time, source, id, data, ingested_at, identity, payload, log_partition, log_position)
                SELECT '{{Tenant}}', 'call', concat('cust-', toString(number % {{customers}})),
                       toDateTime64('2026-01-01 00:00:00', 3, 'UTC') + toIntervalMillisecond(intHash64(number) % {{(long)Span.TotalMilliseconds}}),
                       'bench', toString(number),
                       concat('{"ms":', toString(number % 1000), ',"model":"m', toString(number % 7), '","user":"u', toString(number % 5003), '"}'),
                       now64(3, 'UTC'), toUInt128(number), number, 0, number
                FROM numbers({{_stored}}, {{count}})
                """,
                null,
                CancellationToken.None);
            _stored += count;
        }
    }

    /// <summary>Latencies (ms, ascending) of month queries for random customers, per aggregation.</summary>
    public async Task<IReadOnlyDictionary<MeterAggregation, double[]>> MeasureAsync()
    {
        var reader = new MeterQueryReader(clickHouse);
        var random = new Random(42);
        var results = new Dictionary<MeterAggregation, double[]>();
        foreach (var (aggregation, property) in new[]
        {
            (MeterAggregation.Sum, "$.ms"), (MeterAggregation.Count, (string?)null), (MeterAggregation.Avg, "$.ms"), (MeterAggregation.Min, "$.ms"),
            (MeterAggregation.Max, "$.ms"), (MeterAggregation.UniqueCount, "$.user"), (MeterAggregation.Latest, "$.ms"),
        })
        {
            var meter = new MeterDefinition(Tenant, "mtr_" + aggregation, "m", null, "call", aggregation, property, new Dictionary<string, string> { ["model"] = "$.model" }, Start);
            var latencies = new List<double>();
            for (var i = 0; i < queriesPerAggregation + 5; i++)
            {
                var month = Start.AddMonths(random.Next(0, 9));
                var query = new MeterQuery(meter, month, month.AddMonths(1), WindowSize.Day) { Subjects = [$"cust-{random.Next(customers)}"], GroupBySubject = true };
                var started = Stopwatch.GetTimestamp();
                var rows = await reader.QueryAsync(query, CancellationToken.None);
                if (i >= 5 && rows.Count > 0)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            results[aggregation] = [.. latencies.Order()];
        }

        return results;
    }

    public async Task<long> StoredBytesAsync()
    {
        var rows = await clickHouse.QueryAsync(
            "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = currentDatabase() AND table = 'events' AND active",
            null,
            record => Convert.ToInt64(record.GetValue(0), CultureInfo.InvariantCulture),
            CancellationToken.None);
        return rows[0];
    }
}
