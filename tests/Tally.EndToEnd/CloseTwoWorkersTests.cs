using Tally.FakeStripe;
using Tally.Host.Hosting;

namespace Tally.EndToEnd;

/// <summary>
/// The period close with its workers in two <c>tally serve --roles api</c> processes sharing one PostgreSQL
/// ledger (each leases with <c>FOR UPDATE SKIP LOCKED</c>), beside ingest and aggregator processes over
/// librdkafka's mock cluster and a shared embedded ClickHouse. One worker process is SIGKILLed while it
/// holds leases; the other must resume exactly those tasks (saying so in the history), complete the run,
/// and leave one exact invoice per customer, numbers without a gap, and every Stripe object made once.
/// </summary>
public sealed class CloseTwoWorkersTests : IAsyncLifetime
{
    private const string AdminToken = "tadm_close-two-workers";
    private const int Customers = 2_000;
    private readonly TallyProcesses _processes = new("tally-close-two-");
    private PostgresSchema? _ledger;
    private StripeFake? _stripe;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Close_TwoWorkerProcessesOnPostgres_OneKilledHoldingLeases_TheOtherResumesThemAndEveryCustomerGetsOneExactInvoice()
    {
        _ledger = await PostgresSchema.CreateOrSkipAsync();
        _stripe = await StripeFake.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        // Each Stripe call takes 10 ms, as over a network.
        _stripe.Latency = TimeSpan.FromMilliseconds(10);
        var shared = new Dictionary<string, string>(CloseScenario.Settings(AdminToken, _stripe))
        {
            ["TALLY_Kafka__BootstrapServers"] = await _processes.StartKafkaMockAsync(),
            ["TALLY_ClickHouse__ConnectionString"] = await _processes.StartClickHouseAsync("two-workers-secret"),
            ["TALLY_Ledger__ConnectionString"] = _ledger.ConnectionString,
            ["TALLY_Aggregator__MaxWaitMilliseconds"] = "50",
            ["TALLY_Close__BatchSize"] = "250",
        };
        var ingestPort = FreePorts.Next();
        var apiPort = FreePorts.Next();
        var ingest = _processes.Server("ingest", shared, ingestPort);
        var aggregator = _processes.Server("aggregator", shared, FreePorts.Next());
        var survivor = _processes.Server("api", shared, apiPort, "api-survivor");
        var victim = _processes.Server("api", shared, FreePorts.Next(), "api-victim");
        await TallyProcesses.UpAsync(ingest, aggregator, survivor, victim);

        Mark("processes up");
        using var api = new PipelineApi(new Uri($"http://127.0.0.1:{ingestPort}"), new Uri($"http://127.0.0.1:{apiPort}"));
        var close = new CloseScenario(api, AdminToken, Customers, "Two workers");
        await close.SetUpAsync();
        Mark("set up");
        var runId = await close.StartCloseAsync();

        // Kill the victim while it holds leases; should it have committed everything just before the
        // kill landed, a fresh process takes its place and is killed the same way.
        IReadOnlyList<string> held = [];
        var dead = "";
        for (var attempt = 1; held.Count == 0; attempt++)
        {
            Assert.True(attempt <= 3, "the victim never held a lease when it was killed");
            dead = Worker(victim);
            await Eventually.EqualsAsync(true, async () => (await LeasedByAsync(dead)).Count > 0 || await close.StatusAsync(runId) == "completed", TimeSpan.FromMinutes(2));
            await victim.KillAsync();
            held = await LeasedByAsync(dead);
            if (held.Count == 0)
            {
                victim = _processes.Server("api", shared, FreePorts.Next(), $"api-victim-{attempt + 1}");
                await TallyProcesses.UpAsync(victim);
            }
        }

        Mark($"killed holding {held.Count}");
        await Eventually.EqualsAsync("completed", () => close.StatusAsync(runId), TimeSpan.FromMinutes(3));
        Mark("completed");

        await close.AssertExactlyOneInvoiceEachAsync(_stripe);
        var history = await close.HistoryAsync(runId);
        Assert.Equal(Customers, history.Count(e => e.GetProperty("outcome").GetString() == "issued"));
        // Only the two processes worked the run (besides who started it); every task the dead one held was resumed by the survivor, which says whose lease expired.
        var workers = history.Select(e => e.GetProperty("worker").GetString()!).ToHashSet();
        Assert.Subset(new HashSet<string> { "admin", dead, Worker(survivor) }, workers);
        Assert.Contains(Worker(survivor), workers);
        var resumedFromDead = history
            .Where(e => e.GetProperty("outcome").GetString() == "resumed" && e.GetProperty("detail").GetString()!.Contains($"the lease of {dead} expired", StringComparison.Ordinal))
            .ToList();
        Assert.All(resumedFromDead, e => Assert.Equal(Worker(survivor), e.GetProperty("worker").GetString()));
        Assert.Subset(resumedFromDead.Select(e => e.GetProperty("customerId").GetString()!).ToHashSet(), held.ToHashSet());
        Assert.Empty(await LeasedByAsync(dead));
    }

    private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();

    private void Mark(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{_watch.Elapsed.TotalSeconds:F1} s: {what}");

    /// <summary>The worker name a <c>tally</c> process writes into leases and the history.</summary>
    private static string Worker(TallyProcess process) => $"{Environment.MachineName}/{process.Id}";

    /// <summary>The customers whose close tasks <paramref name="worker"/> holds a lease on, read straight from the ledger.</summary>
    private Task<IReadOnlyList<string>> LeasedByAsync(string worker) =>
        _ledger!.ColumnAsync("SELECT customer_id FROM close_tasks WHERE lease_owner = @worker AND lease_token IS NOT NULL", ("worker", worker));

    public async ValueTask DisposeAsync()
    {
        await _processes.DisposeAsync();
        if (_stripe is not null)
        {
            await _stripe.DisposeAsync();
        }

        if (_ledger is not null)
        {
            await _ledger.DisposeAsync();
        }
    }
}
