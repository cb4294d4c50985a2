using System.CommandLine;
using System.Globalization;
using Tally.Bench.Baselines;
using Tally.Bench.Target;

namespace Tally.Bench.Queries;

/// <summary>
/// <c>tally bench queries</c>: meter query latency (one customer's month, DAY windows, every aggregation)
/// at growing numbers of stored events, on the embedded ClickHouse.
/// </summary>
public static class QueriesCommand
{
    public static Command Create()
    {
        var scales = new Option<string>("--scales") { Description = "Stored events to measure at, comma-separated.", DefaultValueFactory = _ => "10000000,100000000" };
        var queries = new Option<int>("--queries") { Description = "Queries per aggregation and scale.", DefaultValueFactory = _ => 100 };
        var command = new Command("queries", "Meter query latency at 10M-100M stored events (one customer's month, DAY windows).") { scales, queries };
        command.SetAction(async (result, cancellationToken) =>
        {
            var work = Directory.CreateTempSubdirectory("tally-bench-queries-").FullName;
            var engine = TallyTarget.EmbeddedClickHouse(work, $"bench-{Guid.NewGuid():N}");
            await engine.StartAsync(cancellationToken);
            try
            {
                using var database = BareInsertBaseline.Connect(engine.ConnectionString, "query_" + Guid.NewGuid().ToString("N"));
                var count = result.GetValue(queries);
                var bench = new QueryBench(database, customers: 10_000, count);
                Console.WriteLine($"| stored events | on disk | active parts | aggregation | p50 ms | p99 ms | max ms | ({count} month queries of one random customer, DAY windows; load average) |");
                Console.WriteLine("| ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |");
                foreach (var scale in result.GetValue(scales)!.Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)))
                {
                    await bench.GrowToAsync(scale);
                    var (parts, waited) = await bench.SettleAsync(TimeSpan.FromMinutes(5));
                    Console.Error.WriteLine($"{scale:N0} events stored; merges settled after {waited.TotalSeconds:F0} s");
                    var bytes = await bench.StoredBytesAsync();
                    var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
                    foreach (var (aggregation, latencies) in await bench.MeasureAsync())
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"| {scale:N0} | {bytes / (1024 * 1024)} MB | {parts} | {aggregation} | {Percentile(latencies, 0.5):F1} | {Percentile(latencies, 0.99):F1} | {latencies[^1]:F1} | load {load} |"));
                    }
                }
            }
            finally
            {
                await engine.DisposeAsync();
                Directory.Delete(work, recursive: true);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Nearest-rank percentile of an ascending array.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
