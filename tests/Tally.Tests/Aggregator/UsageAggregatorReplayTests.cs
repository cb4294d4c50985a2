using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tally.Aggregator;
using Tally.Billing.EventLog;
using Tally.Billing.Meters;
using Tally.Billing.Usage;
using Tally.ClickHouse;
using Tally.ClickHouse.Usage;
using Tally.EventLog.Embedded;
using Tally.Tests.ClickHouse;

namespace Tally.Tests.Aggregator;

/// <summary>
/// The aggregator's exactly-once rule against real chDB and the real file log: an attempt that
/// wrote a batch to ClickHouse but died before committing its log position is replayed so its rows
/// are replaced, never added to.
/// </summary>
[Collection(ChdbCollection.Name)]
public sealed class UsageAggregatorReplayTests(EmbeddedClickHouseFixture fixture) : IDisposable
{
    private static readonly DateTimeOffset Minute = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly MeterDefinition Tokens = new("tnt_a", "mtr_tokens", "tokens", null, "prompt", MeterAggregation.Sum, "$.tokens", new Dictionary<string, string>(), Minute);
    private static readonly MeterDefinition Prompts = new("tnt_a", "mtr_prompts", "prompts", null, "prompt", MeterAggregation.Count, null, new Dictionary<string, string>(), Minute);
    private readonly string _logDirectory = Directory.CreateTempSubdirectory("tally-replay-").FullName;

    [Theory]
    [InlineData(3, true)]
    [InlineData(100, true)]
    [InlineData(3, false)]
    public async Task RunAsync_AfterAttemptThatWroteButNeverCommitted_CountsEveryEventOnce(int maxBatchRecords, bool attemptWroteRows)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var clickHouse = new DriverClickHouse(fixture.ConnectionString("replay_" + Guid.NewGuid().ToString("N")), NullLogger<DriverClickHouse>.Instance);
        await new UsageSchema(clickHouse).EnsureCreatedAsync(TestContext.Current.CancellationToken);
        var table = new UsageWriter(clickHouse);
        var reader = new UsageReader(clickHouse);
        await using var log = FileEventLog.Open(_logDirectory, partitions: 1);
        await log.AppendAsync([.. Enumerable.Range(1, 6).Select(Event)], TestContext.Current.CancellationToken);

        // The crashed attempt: batch [0, 6) marked (and maybe written), position never committed.
        await using (var crashed = log.OpenConsumer("tally-aggregator"))
        {
            var batch = await crashed.ReadAsync(6, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal((0L, 6L), (batch!.FirstPosition, batch.NextPosition));
            await table.MarkBatchAsync(0, 0, 6, TestContext.Current.CancellationToken);
            if (attemptWroteRows)
            {
                var folded = UsageFolder.Fold(batch.Records, new MeterCatalog([Tokens, Prompts]));
                await table.InsertAsync(folded.Rows, 0, 0, 6, TestContext.Current.CancellationToken);
            }
        }

        await log.AppendAsync([.. Enumerable.Range(7, 8).Select(Event)], TestContext.Current.CancellationToken);
        var aggregator = new UsageAggregator(
            log,
            table,
            new FixedMeters([Tokens, Prompts]),
            new AggregatorMetrics(meters),
            TimeProvider.System,
            Options.Create(new AggregatorOptions { MaxBatchRecords = maxBatchRecords, MaxWaitMilliseconds = 50 }),
            NullLogger<UsageAggregator>.Instance);
        var caughtUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = CommittedRecords(meters, total => total == 14, caughtUp);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var running = aggregator.RunAsync(stop.Token);
        await caughtUp.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        var total = await reader.GetTotalAsync("tnt_a", "mtr_tokens", ["c1"], Minute, Minute.AddHours(1), TestContext.Current.CancellationToken);
        var count = await reader.GetTotalAsync("tnt_a", "mtr_prompts", ["c1"], Minute, Minute.AddHours(1), TestContext.Current.CancellationToken);
        Assert.Equal(105m, total);
        Assert.Equal(14m, count);
    }

    public void Dispose() => Directory.Delete(_logDirectory, recursive: true);

    /// <summary>Listens to the aggregator's committed-records counter (the public metric) and signals when the running total satisfies <paramref name="done"/>.</summary>
    private static MeterListener CommittedRecords(IMeterFactory factory, Func<long, bool> done, TaskCompletionSource signal)
    {
        long total = 0;
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == AggregatorMetrics.MeterName && instrument.Name == "tally.aggregator.records" && instrument.Meter.Scope == factory)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            if (done(Interlocked.Add(ref total, value)))
            {
                signal.TrySetResult();
            }
        });
        listener.Start();
        return listener;
    }

    private static LogRecord Event(int n) => new(
        EventKey.For("tnt_a", "c1"),
        Encoding.UTF8.GetBytes($$$"""{"specversion":"1.0","id":"e{{{n}}}","source":"s","type":"prompt","subject":"c1","time":"2026-11-25T10:00:{{{n:D2}}}Z","data":{"tokens":{{{n}}}}}"""));

    private sealed class FixedMeters(IReadOnlyList<MeterDefinition> meters) : IMeterStore
    {
        public Task CreateAsync(MeterDefinition meter, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<MeterDefinition?> GetAsync(string tenantId, string idOrSlug, CancellationToken cancellationToken) =>
            Task.FromResult(meters.FirstOrDefault(m => m.TenantId == tenantId && (m.Id == idOrSlug || m.Slug == idOrSlug)));

        public Task<IReadOnlyList<MeterDefinition>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MeterDefinition>>([.. meters.Where(m => m.TenantId == tenantId)]);

        public Task<IReadOnlyList<MeterDefinition>> ListAllAsync(CancellationToken cancellationToken) => Task.FromResult(meters);

        public Task<bool> DeleteAsync(string tenantId, string idOrSlug, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
