using System.Globalization;
using Tally.UsageBench;

// dotnet run -c Release --project benchmarks/Tally.UsageBench -- [--events 1000000] [--runs 3] [--scales 10000000,100000000] [--queries 100]
var events = Option("--events", 1_000_000);
var runs = Option("--runs", 3);
var queries = Option("--queries", 100);
var scales = (Value("--scales") ?? "10000000,100000000").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
Console.WriteLine($"# Tally usage benchmark\n\ncommand: `dotnet run -c Release --project benchmarks/Tally.UsageBench -- {string.Join(' ', args)}`".TrimEnd('`', ' ') + "`");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}\n");

var work = Directory.CreateTempSubdirectory("tally-usagebench-").FullName;
await using var engine = await Bench.StartClickHouseAsync(work);
try
{
    if (events > 0)
    {
        var pipeline = new PipelineBench(engine, work, events);
        var records = pipeline.Records();
        var results = new List<PipelineBench.Result>();
        for (var run = 1; run <= runs; run++)
        {
            var result = await pipeline.RunOnceAsync($"r{run}_{Guid.NewGuid():N}", records);
            results.Add(result);
            Console.WriteLine($"run {run}: log read {Bench.N(result.ReadPerSecond)} rec/s, bare insert {Bench.N(result.InsertPerSecond)} ev/s, aggregator {Bench.N(result.AggregatePerSecond)} rec/s");
        }

        var read = Bench.Median(results.Select(r => r.ReadPerSecond));
        var insert = Bench.Median(results.Select(r => r.InsertPerSecond));
        var aggregate = Bench.Median(results.Select(r => r.AggregatePerSecond));
        Console.WriteLine($"\n| stage ({records.Sum(r => r.Length):N0} records, 1% re-sent; medians of {runs}) | records/s | aggregator ÷ stage |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| embedded log read (baseline) | {Bench.N(read)} | {Bench.F(aggregate / read, 2)} |");
        Console.WriteLine($"| bare INSERT of the same rows into the same ClickHouse (baseline) | {Bench.N(insert)} | {Bench.F(aggregate / insert, 2)} |");
        Console.WriteLine($"| aggregator: read, dedup by identity, insert, index, commit | {Bench.N(aggregate)} | 1.00 |");

        var freshness = await pipeline.FreshnessAsync($"f_{Guid.NewGuid():N}", records, aggregate / 2);
        Console.WriteLine($"\nfreshness at half the aggregator's rate ({Bench.N(aggregate / 2)} rec/s, open loop): p50 {Bench.F(Bench.Percentile(freshness, 0.5))} ms, p99 {Bench.F(Bench.Percentile(freshness, 0.99))} ms, max {Bench.F(freshness[^1])} ms");
        Console.WriteLine($"peak RSS of this process (aggregator, log, RocksDB index; ClickHouse runs in its own process): {Bench.PeakRssMegabytes()} MB");
    }

    using var database = Bench.Database(engine, "query_" + Guid.NewGuid().ToString("N"));
    var bench = new QueryBench(database, customers: 10_000, queries);
    Console.WriteLine($"\n| stored events | on disk | aggregation | p50 ms | p99 ms | ({queries} month queries of one random customer, DAY windows) |");
    Console.WriteLine("| ---: | ---: | --- | ---: | ---: | --- |");
    foreach (var scale in scales)
    {
        await bench.GrowToAsync(scale);
        var bytes = await bench.StoredBytesAsync();
        foreach (var (aggregation, latencies) in await bench.MeasureAsync())
        {
            Console.WriteLine($"| {Bench.N(scale)} | {bytes / (1024 * 1024)} MB | {aggregation} | {Bench.F(Bench.Percentile(latencies, 0.5))} | {Bench.F(Bench.Percentile(latencies, 0.99))} | |");
        }
    }
}
finally
{
    await engine.StopAsync(CancellationToken.None);
    Directory.Delete(work, recursive: true);
}

int Option(string name, int fallback) => Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? Value(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}
