using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.ClickHouse.Embedded;
using Tally.Host.Hosting;

namespace Tally.Bench.Target;

/// <summary>A process the bench watches: what stage it runs, and its id.</summary>
public sealed record WatchedProcess(string Stage, int ProcessId);

/// <summary>
/// The Tally a run drives. Started here in one of two layouts (<see cref="BenchLayout"/>): on the embedded
/// defaults, the embedded ClickHouse (<c>tally clickhouse</c>, chDB) and one <c>tally serve</c> with every
/// role (gateway, aggregator and API share a process because the embedded event log belongs to one
/// process); or stage by stage, <c>tally kafka-mock</c>, the embedded ClickHouse and one <c>tally serve</c>
/// per role, so each stage's CPU and memory are told apart. Or a running deployment (<c>--against</c>),
/// which is how the bench runs against a real Kafka and ClickHouse cluster; then no process is watched.
/// </summary>
public sealed class TallyTarget : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private EmbeddedClickHouseProcess? _clickHouse;
    private List<ChildProcess> _servers = [];
    private ChildProcess? _kafka;

    private TallyTarget(Uri baseUrl, string adminToken)
    {
        BaseUrl = baseUrl;
        IngestUrl = baseUrl;
        MetricsUrl = baseUrl;
        AdminToken = adminToken;
    }

    /// <summary>The API: tenants, meters, meter queries.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Where events are posted (the gateway).</summary>
    public Uri IngestUrl { get; private init; }

    /// <summary>Whose <c>/metrics</c> tells how many records the aggregator committed.</summary>
    public Uri MetricsUrl { get; private init; }

    /// <summary>Bootstrap servers of the Kafka the stages share, when the bench started them over Kafka.</summary>
    public string? KafkaBootstrapServers { get; private set; }

    public string AdminToken { get; }

    public Uri? GrpcUrl { get; private init; }

    /// <summary>ClickHouse.Driver connection string of the usage store's engine (database <c>default</c>), when known.</summary>
    public string? ClickHouseConnectionString { get; private init; }

    /// <summary>The embedded event log's directory, when this bench started Tally.</summary>
    public string? LogDirectory { get; private init; }

    public string? DataDirectory { get; private init; }

    public IReadOnlyList<WatchedProcess> Processes { get; private set; } = [];

    public string Description { get; private init; } = "";

    public static async Task<TallyTarget> StartLocalAsync(Action<string> status)
    {
        var dataDir = Directory.CreateTempSubdirectory("tally-bench-").FullName;
        var tallyDll = Path.Combine(AppContext.BaseDirectory, "tally.dll");
        var password = $"bench-{Guid.NewGuid():N}";
        status("starting the embedded ClickHouse (tally clickhouse)");
        var clickHouse = EmbeddedClickHouse(dataDir, password);
        await clickHouse.StartAsync(CancellationToken.None);

        var port = FreePorts.Next();
        var grpcPort = FreePorts.Next();
        var adminToken = $"tadm_bench-{Guid.NewGuid():N}";
        status("starting tally serve (gateway, aggregator, API)");
        var server = ChildProcess.Start(tallyDll, new Dictionary<string, string>
        {
            ["TALLY_ADMIN_TOKEN"] = adminToken,
            ["TALLY_ClickHouse__ConnectionString"] = clickHouse.ConnectionString.Replace("Database=default", "Database=tally", StringComparison.Ordinal),
            // ASP.NET Core logs two lines per request at Information, which would be measured too.
            ["TALLY_Logging__LogLevel__Default"] = "Warning",
        }, "serve", "--roles", "ingest,aggregator,api", "--port", Invariant(port), "--grpc-port", Invariant(grpcPort), "--data-dir", dataDir);
        var target = new TallyTarget(new Uri($"http://127.0.0.1:{Invariant(port)}"), adminToken)
        {
            GrpcUrl = new Uri($"http://127.0.0.1:{Invariant(grpcPort)}"),
            ClickHouseConnectionString = clickHouse.ConnectionString,
            LogDirectory = Path.Combine(dataDir, "log"),
            DataDirectory = dataDir,
            Description = "started here: tally clickhouse + tally serve --roles ingest,aggregator,api (embedded log, SQLite ledger)",
            _clickHouse = clickHouse,
            _servers = [server],
        };
        try
        {
            await server.WaitForLineAsync("^Tally is up: ", StartTimeout);
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }

        target.Processes =
        [
            new WatchedProcess("tally serve (gateway, aggregator, API)", server.Id),
            new WatchedProcess("ClickHouse (chDB)", clickHouse.ProcessId ?? -1),
            new WatchedProcess("load generator (tally-bench)", Environment.ProcessId),
        ];
        return target;
    }

    /// <summary>
    /// Every stage in a process of its own: <c>tally kafka-mock</c> (librdkafka's mock cluster, the log the
    /// stages share), the embedded ClickHouse, and <c>tally serve</c> with the ingest, aggregator and API roles
    /// apart, sharing one data directory (its SQLite ledger) as the multi-process end-to-end test does.
    /// The mock keeps at most 5 MB per partition (4 partitions) and drops the oldest records beyond that, so
    /// the aggregator must stay within ~60,000 records of the gateway: run this layout open loop (<c>--rate</c>)
    /// below what the aggregator sustains; a closed loop outruns it and the totals check then fails, loudly.
    /// </summary>
    public static async Task<TallyTarget> StartStagesAsync(Action<string> status)
    {
        var dataDir = Directory.CreateTempSubdirectory("tally-bench-").FullName;
        var tallyDll = Path.Combine(AppContext.BaseDirectory, "tally.dll");
        var password = $"bench-{Guid.NewGuid():N}";
        var adminToken = $"tadm_bench-{Guid.NewGuid():N}";
        var (ingestPort, grpcPort, aggregatorPort, apiPort) = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        status("starting librdkafka's mock Kafka cluster (tally kafka-mock) and the embedded ClickHouse (tally clickhouse)");
        var kafka = ChildProcess.Start(tallyDll, new Dictionary<string, string>(), "kafka-mock");
        var clickHouse = EmbeddedClickHouse(dataDir, password);
        try
        {
            await clickHouse.StartAsync(CancellationToken.None);
        }
        catch
        {
            await kafka.DisposeAsync();
            await clickHouse.DisposeAsync();
            throw;
        }

        var target = new TallyTarget(new Uri($"http://127.0.0.1:{Invariant(apiPort)}"), adminToken)
        {
            IngestUrl = new Uri($"http://127.0.0.1:{Invariant(ingestPort)}"),
            MetricsUrl = new Uri($"http://127.0.0.1:{Invariant(aggregatorPort)}"),
            GrpcUrl = new Uri($"http://127.0.0.1:{Invariant(grpcPort)}"),
            ClickHouseConnectionString = clickHouse.ConnectionString,
            DataDirectory = dataDir,
            Description = "started here: tally kafka-mock + tally clickhouse + tally serve --roles ingest | aggregator | api (each its own process; SQLite ledger shared)",
            _clickHouse = clickHouse,
            _kafka = kafka,
        };
        try
        {
            var bootstrap = (await kafka.WaitForLineAsync(@"^Kafka: (\S+)$", StartTimeout)).Groups[1].Value;
            var environment = new Dictionary<string, string>
            {
                ["TALLY_ADMIN_TOKEN"] = adminToken,
                ["TALLY_ClickHouse__ConnectionString"] = clickHouse.ConnectionString.Replace("Database=default", "Database=tally", StringComparison.Ordinal),
                ["TALLY_Kafka__BootstrapServers"] = bootstrap,
                ["TALLY_Logging__LogLevel__Default"] = "Warning",
            };
            status("starting tally serve: the gateway, the aggregator and the API, each in its own process");
            ChildProcess Serve(string role, int port, params string[] more) =>
                ChildProcess.Start(tallyDll, environment, ["serve", "--roles", role, "--port", Invariant(port), "--data-dir", dataDir, .. more]);

            // The API first: it creates the ledger the others open.
            var api = Serve("api", apiPort);
            target._servers.Add(api);
            await api.WaitForLineAsync("^Tally is up: ", StartTimeout);
            var ingest = Serve("ingest", ingestPort, "--grpc-port", Invariant(grpcPort));
            var aggregator = Serve("aggregator", aggregatorPort);
            target._servers.AddRange([ingest, aggregator]);
            await ingest.WaitForLineAsync("^Tally is up: ", StartTimeout);
            await aggregator.WaitForLineAsync("^Tally is up: ", StartTimeout);
            target.Processes =
            [
                new WatchedProcess("gateway (tally serve --roles ingest)", ingest.Id),
                new WatchedProcess("aggregator (tally serve --roles aggregator)", aggregator.Id),
                new WatchedProcess("API and rating (tally serve --roles api)", api.Id),
                new WatchedProcess("Kafka mock (tally kafka-mock)", kafka.Id),
                new WatchedProcess("ClickHouse (chDB)", clickHouse.ProcessId ?? -1),
                new WatchedProcess("load generator (tally-bench)", Environment.ProcessId),
            ];
            target.KafkaBootstrapServers = bootstrap;
            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    /// <summary>The embedded engine as <c>tally up</c> runs it (a supervised <c>tally clickhouse</c> child), not yet started.</summary>
    public static EmbeddedClickHouseProcess EmbeddedClickHouse(string dataDir, string password) =>
        new(
            new EmbeddedClickHouseCommand("dotnet", [Path.Combine(AppContext.BaseDirectory, "tally.dll"), "clickhouse", "--data-dir", dataDir]),
            Path.Combine(dataDir, "clickhouse"),
            FreePorts.Next(),
            password,
            null,
            TimeProvider.System,
            NullLogger<EmbeddedClickHouseProcess>.Instance);

    public static TallyTarget Remote(Uri baseUrl, string adminToken, Uri? grpcUrl, string? clickHouse) =>
        new(baseUrl, adminToken)
        {
            GrpcUrl = grpcUrl,
            ClickHouseConnectionString = clickHouse,
            Description = $"--against {baseUrl}",
            Processes = [new WatchedProcess("load generator (tally-bench)", Environment.ProcessId)],
        };

    /// <summary>Stops Tally's servers, leaving ClickHouse and Kafka up for the baselines; the second call of <see cref="DisposeAsync"/> is then cheap.</summary>
    public async Task StopServerAsync()
    {
        foreach (var server in Enumerable.Reverse(_servers))
        {
            await server.DisposeAsync();
        }

        _servers.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await StopServerAsync();
        if (_kafka is not null)
        {
            await _kafka.DisposeAsync();
            _kafka = null;
        }

        if (_clickHouse is not null)
        {
            await _clickHouse.DisposeAsync();
            _clickHouse = null;
        }

        if (DataDirectory is not null && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
