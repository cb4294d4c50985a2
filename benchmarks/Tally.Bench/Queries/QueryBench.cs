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

    /// <summary>
    /// Waits (at most <paramref name="limit"/>) until no merge of the events table is running, so that the burst of
    /// generated rows, which no real ingest makes at once, is not what the first aggregation measured is slowed by.
    /// Returns the active parts left and how long it waited.
    /// </summary>
    public async Task<(long Parts, TimeSpan Waited)> SettleAsync(TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var merges = await CountAsync("SELECT count() FROM system.merges WHERE database = currentDatabase() AND table = 'events'");
            if (merges == 0 || Stopwatch.GetElapsedTime(started) > limit)
            {
                return (await CountAsync("SELECT count() FROM system.parts WHERE database = currentDatabase() AND table = 'events' AND active"), Stopwatch.GetElapsedTime(started));
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>
    /// Latencies (ms, ascending) of month queries for random customers, per aggregation, the aggregations taken in turn
    /// (one query of each, then the next round) so that whatever the engine does meanwhile falls on all of them alike;
    /// and, as the same run's floor, <c>SELECT 1</c> through the same connection.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, double[]>> MeasureAsync()
    {
        var reader = new MeterQueryReader(clickHouse);
        var random = new Random(42);
        var meters = new[]
        {
            (MeterAggregation.Sum, "$.ms"), (MeterAggregation.Count, (string?)null), (MeterAggregation.Avg, "$.ms"), (MeterAggregation.Min, "$.ms"),
            (MeterAggregation.Max, "$.ms"), (MeterAggregation.UniqueCount, "$.user"), (MeterAggregation.Latest, "$.ms"),
        }.Select(m => new MeterDefinition(Tenant, "mtr_" + m.Item1, "m", null, "call", m.Item1, m.Item2, new Dictionary<string, string> { ["model"] = "$.model" }, Start)).ToList();
        var latencies = meters.ToDictionary(m => m.Aggregation.ToString(), _ => new List<double>());
        latencies["SELECT 1 (floor)"] = [];
        for (var i = 0; i < queriesPerAggregation + 5; i++)
        {
            foreach (var meter in meters)
            {
                var month = Start.AddMonths(random.Next(0, 9));
                var query = new MeterQuery(meter, month, month.AddMonths(1), WindowSize.Day) { Subjects = [$"cust-{random.Next(customers)}"], GroupBySubject = true };
                var started = Stopwatch.GetTimestamp();
                var rows = await reader.QueryAsync(query, CancellationToken.None);
                if (rows.Count == 0)
                {
                    throw new InvalidOperationException($"A month of {query.Subjects[0]} from {month:yyyy-MM} had no usage: the generated events do not cover it.");
                }

                if (i >= 5)
                {
                    latencies[meter.Aggregation.ToString()].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            var floor = Stopwatch.GetTimestamp();
            await CountAsync("SELECT 1");
            if (i >= 5)
            {
                latencies["SELECT 1 (floor)"].Add(Stopwatch.GetElapsedTime(floor).TotalMilliseconds);
            }
        }

        return latencies.ToDictionary(l => l.Key, l => l.Value.Order().ToArray());
    }

    public Task<long> StoredBytesAsync() =>
        CountAsync("SELECT sum(bytes_on_disk) FROM system.parts WHERE database = currentDatabase() AND table = 'events' AND active");

    private async Task<long> CountAsync(string sql)
    {
        var rows = await clickHouse.QueryAsync(sql, null, record => Convert.ToInt64(record.GetValue(0), CultureInfo.InvariantCulture), CancellationToken.None);
        return rows[0];
    }
}
