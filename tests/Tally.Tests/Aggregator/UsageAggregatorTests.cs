using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tally.Aggregator;
using Tally.Billing.EventLog;
using Tally.Billing.Events;
using Tally.Billing.Meters;
using Tally.Billing.Usage;
using Tally.ClickHouse;
using Tally.ClickHouse.Events;
using Tally.ClickHouse.Usage;
using Tally.EventIdentities;
using Tally.EventLog.Embedded;
using Tally.Tests.ClickHouse;

namespace Tally.Tests.Aggregator;

/// <summary>
/// The aggregator against the real file log, the real RocksDB identity index and real chDB: one event
/// per identity whatever the path (same batch, later batches, a replay from scratch, a new owner with an
/// empty index), conflicting duplicates and unreadable records kept visible as rejections.
/// </summary>
[Collection(ChdbCollection.Name)]
public sealed class UsageAggregatorTests(EmbeddedClickHouseFixture fixture) : IDisposable
{
    private const string Tenant = "tnt_agg";
    private static readonly DateTimeOffset Created = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly MeterDefinition Count = new(Tenant, "mtr_count", "count", null, "prompt", MeterAggregation.Count, null, new Dictionary<string, string>(), Created);
    private static readonly MeterDefinition Sum = Count with { Id = "mtr_sum", Slug = "sum", Aggregation = MeterAggregation.Sum, ValueProperty = "$.tokens" };
    private readonly string _directory = Directory.CreateTempSubdirectory("tally-aggregator-").FullName;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly DriverClickHouse _clickHouse = new(fixture.ConnectionString("aggregator_" + Guid.NewGuid().ToString("N")), NullLogger<DriverClickHouse>.Instance);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_DuplicatesInAndAcrossBatches_StoresEachIdentityOnceAndRejectsConflicts()
    {
        await using var log = FileEventLog.Open(Path.Combine(_directory, "log"), partitions: 2);
        await using var index = Index("identities");
        await log.AppendAsync(
        [
            Record("e1", "c1", 10), Record("e2", "c2", 20), Record("e1", "c1", 10),
            Record("e3", "c1", 30), Record("e2", "c2", 999), new LogRecord($"{Tenant}:junk", Encoding.UTF8.GetBytes("{not json")),
            Record("e3", "c1", 30),
        ], Ct);

        await RunUntilAsync(log, index, "agg", records: 7, maxBatch: 2);

        Assert.Equal((3m, 60m), await TotalsAsync());
        var listed = await new EventStore(_clickHouse).ListAsync(new EventListQuery(Tenant, null, null, null, null, null, [], 100), Ct);
        Assert.Equal(
            ["duplicate: an event with this source and id was stored first with a different payload; the first one counts", null, null, null],
            listed.Where(e => e.Event.Identity.Id != "").OrderBy(e => e.Rejection is null).ThenBy(e => e.Event.Identity.Id).Select(e => e.Rejection));
        Assert.Single(listed, e => e.Rejection?.StartsWith("unreadable: ", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Run_WholeLogReplayedByANewGroup_StoresNothingTwice()
    {
        await using var log = FileEventLog.Open(Path.Combine(_directory, "log"), partitions: 2);
        await using var index = Index("identities");
        await log.AppendAsync([.. Enumerable.Range(0, 20).Select(i => Record($"e{i}", $"c{i % 3}", i))], Ct);
        await RunUntilAsync(log, index, "first", records: 20, maxBatch: 7);

        // As if every committed position were lost: a new group reads the whole log again.
        await RunUntilAsync(log, index, "second", records: 20, maxBatch: 5);

        Assert.Equal((20m, 190m), await TotalsAsync());
    }

    [Fact]
    public async Task Run_NewOwnerWithAnEmptyIndex_CompletesItFromTheStoreAndStillSeesDuplicates()
    {
        await using var log = FileEventLog.Open(Path.Combine(_directory, "log"), partitions: 1);
        await using (var first = Index("first-owner"))
        {
            await log.AppendAsync([Record("e1", "c1", 1), Record("e2", "c1", 2), Record("e3", "c1", 3)], Ct);
            await RunUntilAsync(log, first, "agg", records: 3, maxBatch: 10);
        }

        // Another aggregator takes the partition over with an index that has never seen it.
        await using var second = Index("second-owner");
        await log.AppendAsync([Record("e1", "c1", 1), Record("e2", "c1", 500), Record("e4", "c1", 4)], Ct);
        await RunUntilAsync(log, second, "agg", records: 3, maxBatch: 10);

        Assert.Equal((4m, 10m), await TotalsAsync());
        Assert.Equal(4, await second.CountAsync(0, Ct));
        Assert.Equal(6, await second.CompleteThroughAsync(0, Ct));
    }

    [Fact]
    public async Task Run_WithADeltaLog_PublishesEachStoredEventOncePerSubjectWithItsPosition()
    {
        await using var log = FileEventLog.Open(Path.Combine(_directory, "log"), partitions: 1);
        await using var deltas = FileEventLog.Open(Path.Combine(_directory, "deltas"), partitions: 2);
        await using var index = Index("identities");
        await log.AppendAsync([Record("e1", "c1", 10), Record("e2", "c2", 20), Record("e1", "c1", 10), Record("e3", "c1", 30)], Ct);

        await RunUntilAsync(log, index, "agg", records: 4, maxBatch: 10, deltas);

        Assert.Equal(
            [("c1", 0, 0L, "e1", 10), ("c1", 0, 3L, "e3", 30), ("c2", 0, 1L, "e2", 20)],
            await DeltaEventsAsync(deltas, expected: 3));
    }

    [Fact]
    public async Task Run_CrashAfterStoringBeforePublishing_RepublishesUnderTheSamePositionsAndStoresOnce()
    {
        await using var log = FileEventLog.Open(Path.Combine(_directory, "log"), partitions: 1);
        await log.AppendAsync([Record("e1", "c1", 10), Record("e2", "c1", 20)], Ct);
        var unreachable = new UnreachableLog();
        await using (var first = Index("first-owner"))
        {
            // The events reach ClickHouse, then publishing fails: nothing is indexed or committed.
            await RunUntilAsync(log, first, "agg", records: 0, maxBatch: 10, unreachable, until: unreachable.Called.Task);
        }

        await using var deltas = FileEventLog.Open(Path.Combine(_directory, "deltas"), partitions: 1);
        await using var second = Index("second-owner");
        await RunUntilAsync(log, second, "agg", records: 2, maxBatch: 10, deltas);

        Assert.Equal((2m, 30m), await TotalsAsync());
        Assert.Equal([("c1", 0, 0L, "e1", 10), ("c1", 0, 1L, "e2", 20)], await DeltaEventsAsync(deltas, expected: 2));
    }

    [Fact]
    public async Task Run_ResentWhileThePreviousCycleStillAddsItsIdentities_CountsAndPublishesItOnce()
    {
        await using var log = FileEventLog.Open(Path.Combine(_directory, "log"), partitions: 1);
        await using var inner = FileEventLog.Open(Path.Combine(_directory, "deltas"), partitions: 1);
        await using var index = Index("identities");
        // Two cycles of two records; the second re-sends e1 while the first cycle's tail is held before its identities are added.
        await log.AppendAsync([Record("e1", "c1", 10), Record("e2", "c1", 20), Record("e1", "c1", 10), Record("e3", "c1", 30)], Ct);
        var deltas = new HeldLog(inner);
        var metrics = _services.GetRequiredService<IMeterFactory>();
        var secondInsert = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var inserts = PhaseCount(metrics, CyclePhase.InsertEvents, count => count >= 2, secondInsert);
        var running = RunUntilAsync(log, index, "agg", records: 4, maxBatch: 2, deltas);
        await secondInsert.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(0, await index.CountAsync(0, Ct));
        deltas.Release.TrySetResult();
        await running;

        Assert.Equal((3m, 60m), await TotalsAsync());
        Assert.Equal([("c1", 0, 0L, "e1", 10), ("c1", 0, 1L, "e2", 20), ("c1", 0, 3L, "e3", 30)], await DeltaEventsAsync(inner, expected: 3));
        Assert.Equal(3, await index.CountAsync(0, Ct));
    }

    public void Dispose()
    {
        _clickHouse.Dispose();
        _services.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task RunUntilAsync(FileEventLog log, IEventIdentityIndex index, string group, long records, int maxBatch, IEventLog? deltas = null, Task? until = null)
    {
        var store = new EventStore(_clickHouse);
        await new UsageSchema(_clickHouse).EnsureCreatedAsync(Ct);
        var metrics = _services.GetRequiredService<IMeterFactory>();
        var aggregator = new UsageAggregator(
            log,
            new UsageDeltaPublisher(deltas),
            store,
            index,
            new AggregatorMetrics(metrics),
            TimeProvider.System,
            Options.Create(new AggregatorOptions { ConsumerGroup = group, MaxBatchRecords = maxBatch, MaxWaitMilliseconds = 20 }),
            NullLogger<UsageAggregator>.Instance);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = CommittedRecords(metrics, total => total >= records, done);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = aggregator.RunAsync(stop.Token);
        await (until ?? done.Task).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        await stop.CancelAsync();

        // Cancelled, the loop ends: with OperationCanceledException when a read was waiting, or by returning
        // when the token was seen between batches (which one depends on timing); either way it stops.
        try
        {
            await running.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        Assert.True(running.IsCompleted);
    }

    private async Task<(decimal Count, decimal Sum)> TotalsAsync()
    {
        var reader = new UsageReader(_clickHouse);
        var subjects = new[] { "c0", "c1", "c2" };
        var from = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        return (await reader.GetTotalAsync(Count, subjects, from, from.AddMonths(1), Ct), await reader.GetTotalAsync(Sum, subjects, from, from.AddMonths(1), Ct));
    }

    /// <summary>Every event of the delta log as (subject, log partition, position, id, tokens), by subject and position.</summary>
    private static async Task<List<(string, int, long, string, int)>> DeltaEventsAsync(IEventLog deltas, int expected)
    {
        var events = new List<(string Subject, int Partition, long Position, string Id, int Tokens)>();
        await using var consumer = deltas.OpenConsumer("test");
        while (events.Count < expected)
        {
            var batch = await consumer.ReadAsync(100, TimeSpan.FromSeconds(10), Ct) ?? throw new TimeoutException($"Only {events.Count} delta events arrived.");
            foreach (var record in batch.Records)
            {
                Assert.True(UsageDelta.TryDecode(record.Value.Span, out var delta));
                Assert.Equal($"{Tenant}:{delta!.Subject}", record.Key);
                events.AddRange(delta.Events.Select(e => (delta.Subject, delta.Partition, e.Position, e.Id, System.Text.Json.JsonDocument.Parse(e.Data).RootElement.GetProperty("tokens").GetInt32())));
            }
        }

        return [.. events.OrderBy(e => e.Subject, StringComparer.Ordinal).ThenBy(e => e.Position)];
    }

    private RocksDbEventIdentityIndex Index(string name) => RocksDbEventIdentityIndex.Open(Path.Combine(_directory, name), blockCacheMegabytes: 8);

    /// <summary>Listens to the aggregator's committed-records counter (the public metric) and signals once the running total satisfies <paramref name="done"/>.</summary>
    private static MeterListener CommittedRecords(IMeterFactory factory, Func<long, bool> done, TaskCompletionSource signal)
    {
        long total = 0;
        return Listen<long>(factory, "tally.aggregator.records", (value, _) =>
        {
            if (done(Interlocked.Add(ref total, value)))
            {
                signal.TrySetResult();
            }
        });
    }

    /// <summary>Signals once the number of cycles that recorded <paramref name="phase"/> satisfies <paramref name="done"/>.</summary>
    private static MeterListener PhaseCount(IMeterFactory factory, string phase, Func<long, bool> done, TaskCompletionSource signal)
    {
        long count = 0;
        return Listen<double>(factory, "tally.aggregator.cycle.phase.duration", (_, tags) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "phase" && Equals(tag.Value, phase) && done(Interlocked.Increment(ref count)))
                {
                    signal.TrySetResult();
                }
            }
        });
    }

    private delegate void Measured<T>(T value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    private static MeterListener Listen<T>(IMeterFactory factory, string instrumentName, Measured<T> measured)
        where T : struct
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == AggregatorMetrics.MeterName && instrument.Name == instrumentName && instrument.Meter.Scope == factory)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<T>((_, value, tags, _) => measured(value, tags));
        listener.Start();
        return listener;
    }

    private static LogRecord Record(string id, string subject, int tokens) => new(
        EventKey.For(new EventIdentity(Tenant, "src", id)),
        Encoding.UTF8.GetBytes($$$"""{"specversion":"1.0","id":"{{{id}}}","source":"src","type":"prompt","subject":"{{{subject}}}","time":"2026-11-25T10:00:00Z","tallyingested":"2026-11-25T10:00:01Z","data":{"tokens":{{{tokens}}}}}"""));

    /// <summary>A delta log whose appends wait until <see cref="Release"/> completes, holding a cycle's tail before its identities are added.</summary>
    private sealed class HeldLog(IEventLog inner) : IEventLog
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int PartitionCount => inner.PartitionCount;

        public EventLogHealth Health => inner.Health;

        public async ValueTask AppendAsync(IReadOnlyList<LogRecord> records, CancellationToken cancellationToken)
        {
            await Release.Task.WaitAsync(cancellationToken);
            await inner.AppendAsync(records, cancellationToken);
        }

        public IEventLogConsumer OpenConsumer(string group) => inner.OpenConsumer(group);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A delta log that never takes an append, as if the process died right after storing a batch.</summary>
    private sealed class UnreachableLog : IEventLog
    {
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int PartitionCount => 1;

        public EventLogHealth Health => EventLogHealth.Unhealthy("unreachable");

        public ValueTask AppendAsync(IReadOnlyList<LogRecord> records, CancellationToken cancellationToken)
        {
            Called.TrySetResult();
            throw new IOException("The delta log is unreachable.");
        }

        public IEventLogConsumer OpenConsumer(string group) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
