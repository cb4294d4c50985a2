using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.Aggregator;
using Tally.Billing.Events;
using Tally.ClickHouse;
using Tally.ClickHouse.Embedded;
using Tally.ClickHouse.Events;
using Tally.ClickHouse.Usage;

namespace Tally.Benchmarks;

/// <summary>
/// The cost of the HTTP hop Tally pays so that embedded chDB and a ClickHouse server share one code
/// path, and of running chDB out of process: each SQL text runs through DriverClickHouse -> HTTP ->
/// chDB in a child process (what <c>tally up</c> does), through DriverClickHouse -> HTTP -> chDB in this
/// process (what it did before), and, as the same-run baseline, straight through ChdbEngine (P/Invoke).
/// <c>InsertEvents</c>: the aggregator's INSERT of 990 stored events as JSONEachRow (baseline) or RowBinary.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[MedianColumn]
public class ClickHouseTransportBenchmarks
{
    private const string PointQuery = "SELECT label FROM tally_bench.points WHERE id = 500";

    private string directory = string.Empty;
    private EmbeddedClickHouse embedded = null!;
    private DriverClickHouse driver = null!;
    private EmbeddedClickHouseProcess child = null!;
    private DriverClickHouse childDriver = null!;
    private string insertSql = string.Empty;
    private StoredEvent[] events = [];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        directory = Path.Combine(Path.GetTempPath(), "tally-bench-chdb-" + Guid.NewGuid().ToString("N"));
        embedded = await EmbeddedClickHouse.StartAsync(directory, null, 0, "bench", NullLoggerFactory.Instance, CancellationToken.None);
        driver = new DriverClickHouse(embedded.ConnectionString.Replace("Database=default", "Database=tally_bench", StringComparison.Ordinal), NullLogger<DriverClickHouse>.Instance);
        child = new EmbeddedClickHouseProcess(
            new EmbeddedClickHouseCommand("dotnet", [TallyDll(), "clickhouse", "--data-dir", directory + "-child"]),
            directory + "-child",
            FreePort(),
            "bench",
            null,
            TimeProvider.System,
            NullLogger<EmbeddedClickHouseProcess>.Instance);
        await child.StartAsync(CancellationToken.None);
        childDriver = new DriverClickHouse(child.ConnectionString.Replace("Database=default", "Database=tally_bench", StringComparison.Ordinal), NullLogger<DriverClickHouse>.Instance);
        foreach (var client in new[] { driver, childDriver })
        {
            await client.ExecuteAsync("CREATE TABLE IF NOT EXISTS points (id UInt32, label String) ENGINE = MergeTree ORDER BY id", null, CancellationToken.None);
            await client.ExecuteAsync("INSERT INTO points SELECT number, concat('label-', toString(number)) FROM numbers(100000)", null, CancellationToken.None);
            await client.ExecuteAsync("CREATE TABLE IF NOT EXISTS usage (id UInt32, customer String, quantity Decimal(38, 9)) ENGINE = MergeTree ORDER BY id", null, CancellationToken.None);
        }

        var sql = new StringBuilder("INSERT INTO tally_bench.usage FORMAT JSONEachRow\n");
        for (var i = 0; i < 1000; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"{{\"id\":{i},\"customer\":\"cus_{i % 37}\",\"quantity\":\"{i}.125000001\"}}\n");
        }

        insertSql = sql.ToString();
        foreach (var client in new[] { driver, childDriver })
        {
            await new UsageSchema(client).EnsureCreatedAsync(CancellationToken.None);
        }

        events = [.. HotPathRecords.Create().Select((record, i) =>
        {
            LoggedEventReader.TryRead(HotPathRecords.Tenant, record.Value.Span, out var read, out _);
            return read with { IdentityDigest = EventDigests.Identity(read.Identity), PayloadDigest = EventDigests.Payload(read), Position = i };
        }).DistinctBy(e => e.IdentityDigest)];
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        driver.Dispose();
        childDriver.Dispose();
        await embedded.DisposeAsync();
        await child.DisposeAsync();
        Directory.Delete(directory, recursive: true);
        Directory.Delete(directory + "-child", recursive: true);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("PointQuery")]
    public int PointQuery_PInvoke() => embedded.Engine.Query(PointQuery, "RowBinaryWithNamesAndTypes").Length;

    [Benchmark]
    [BenchmarkCategory("PointQuery")]
    public async Task<int> PointQuery_DriverHttp() =>
        (await driver.QueryAsync(PointQuery, null, r => r.GetString(0), CancellationToken.None)).Count;

    [Benchmark]
    [BenchmarkCategory("PointQuery")]
    public async Task<int> PointQuery_DriverHttpChildProcess() =>
        (await childDriver.QueryAsync(PointQuery, null, r => r.GetString(0), CancellationToken.None)).Count;

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Insert1000JsonEachRow")]
    public int Insert1000_PInvoke() => embedded.Engine.Query(insertSql, "TabSeparated").Length;

    [Benchmark]
    [BenchmarkCategory("Insert1000JsonEachRow")]
    public Task Insert1000_DriverHttp() => driver.ExecuteAsync(insertSql, null, CancellationToken.None);

    [Benchmark]
    [BenchmarkCategory("Insert1000JsonEachRow")]
    public Task Insert1000_DriverHttpChildProcess() => childDriver.ExecuteAsync(insertSql, null, CancellationToken.None);

    // What the aggregator sends per batch: its events (each identity once) into the events table (fsync'd
    // parts), as JSONEachRow text or RowBinary rows, through the embedded engine in a child process (tally up).
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("InsertEvents")]
    public Task InsertEvents_JsonEachRow_ChildProcess() =>
        new EventStore(childDriver, EventInsertFormat.JsonEachRow).InsertEventsAsync(events, CancellationToken.None);

    [Benchmark]
    [BenchmarkCategory("InsertEvents")]
    public Task InsertEvents_RowBinary_ChildProcess() =>
        new EventStore(childDriver, EventInsertFormat.RowBinary).InsertEventsAsync(events, CancellationToken.None);

    [Benchmark]
    [BenchmarkCategory("InsertEvents")]
    public Task InsertEvents_JsonEachRow_InProcess() =>
        new EventStore(driver, EventInsertFormat.JsonEachRow).InsertEventsAsync(events, CancellationToken.None);

    [Benchmark]
    [BenchmarkCategory("InsertEvents")]
    public Task InsertEvents_RowBinary_InProcess() =>
        new EventStore(driver, EventInsertFormat.RowBinary).InsertEventsAsync(events, CancellationToken.None);

    // The benchmark cannot reference the host (Orleans and BenchmarkDotNet pin different Roslyn
    // versions), so it runs the tally.dll that `dotnet build src/Host -c Release` produced.
    private static string TallyDll()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "src", "Host", "bin", "Release", "net10.0", "tally.dll");
            if (File.Exists(Path.Combine(dir.FullName, "Tally.slnx")))
            {
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the host first: dotnet build src/Host -c Release ({dll} is missing).", dll);
            }
        }

        throw new InvalidOperationException("Run the benchmarks from the Tally repository.");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
