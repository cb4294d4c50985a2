using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.ClickHouse.Embedded;
using Tally.Host.Hosting;

namespace Tally.Bench.Target;

/// <summary>A process the bench watches: what stage it runs, and its id.</summary>
public sealed record WatchedProcess(string Stage, int ProcessId);

/// <summary>
/// The Tally a run drives. Started here on the embedded defaults, as separate processes so each stage's
/// CPU and memory can be told apart: the embedded ClickHouse (<c>tally clickhouse</c>, chDB) and one
/// <c>tally serve</c> with every role (gateway, aggregator and API share a process because the embedded
/// event log belongs to one process). Or a running deployment (<c>--against</c>), which is how the bench
/// runs against a real Kafka and ClickHouse cluster; then no process is watched.
/// </summary>
public sealed class TallyTarget : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private EmbeddedClickHouseProcess? _clickHouse;
    private ChildProcess? _server;

    private TallyTarget(Uri baseUrl, string adminToken)
    {
        BaseUrl = baseUrl;
        AdminToken = adminToken;
    }

    public Uri BaseUrl { get; }

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
            _server = server,
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

    /// <summary>Stops Tally's server, leaving ClickHouse up for the baselines; the second call of <see cref="DisposeAsync"/> is then cheap.</summary>
    public async Task StopServerAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopServerAsync();
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
