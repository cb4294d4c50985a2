using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.Billing.EventLog;
using Tally.Billing.Usage;
using Tally.EndToEnd;
using Tally.EventLog.Embedded;
using Tally.Rating.Live;
using Tally.Tests.EventLog;

namespace Tally.Tests.Rating;

/// <summary>
/// The delta pipeline on the embedded log, with stand-in grains that apply deltas through the grains' own
/// <see cref="DeltaWatermarks"/>: batches in flight finish in any order, grain calls fail, the consumer
/// restarts; every customer ends with its exact total and every event applied once.
/// </summary>
public sealed class UsageDeltaPipelineTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 3, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task RunAsync_LaterBatchesAppliedFirst_CommitsNoPartitionPastABatchNotApplied()
    {
        await using var log = FileEventLog.Open(_directory.Path, partitions: 1);
        var sent = await AppendAsync(log, subjects: 12, rounds: 4);
        var grains = new StandInGrains();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        grains.Hold = share => share.GrainKey == "c0" && share.Deltas.Any(d => d.Events[0].Position < 12) ? gate.Task : Task.CompletedTask;
        await using var consumer = new RecordingConsumer(log.OpenConsumer("rating"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var running = Pipeline(grains, batchRecords: 5, inFlight: 16).RunAsync(consumer, stop.Token);

        // Everything but c0's gets applied: its first call is held and its later ones wait behind it (s0 and s6,
        // 4 rounds); the first batch is not done, so nothing is committed.
        await Eventually.EqualsAsync(48 - 8, () => Task.FromResult(grains.AppliedEvents), Deadline);
        Assert.Empty(consumer.Commits);

        gate.SetResult();
        await Eventually.EqualsAsync(48L, () => Task.FromResult(consumer.Committed(0)), Deadline);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        Assert.Equal(consumer.Commits.Select(c => c.Position).Order(), consumer.Commits.Select(c => c.Position));
        grains.AssertExactly(sent);
    }

    [Fact]
    public async Task RunAsync_GrainCallFails_AppliesItAgainBeforeThatGrainsLaterDeltas()
    {
        await using var log = FileEventLog.Open(_directory.Path, partitions: 2);
        var sent = await AppendAsync(log, subjects: 10, rounds: 5);
        var grains = new StandInGrains();
        var failures = 0;
        grains.Hold = share => share.GrainKey == "c3" && Interlocked.Increment(ref failures) is 1 or 2
            ? Task.FromException(new InvalidOperationException("silo unavailable"))
            : Task.CompletedTask;
        await using var consumer = new RecordingConsumer(log.OpenConsumer("rating"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var running = Pipeline(grains, batchRecords: 3, inFlight: 4).RunAsync(consumer, stop.Token);

        await Eventually.EqualsAsync(sent.Sum(s => s.Value.Count), () => Task.FromResult(grains.AppliedEvents), Deadline);
        await Eventually.EqualsAsync(true, () => Task.FromResult(consumer.Committed(0) + consumer.Committed(1) == 50), Deadline);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        Assert.True(failures >= 3);
        foreach (var partition in new[] { 0, 1 })
        {
            var positions = consumer.Commits.Where(c => c.Partition == partition).Select(c => c.Position).ToList();
            Assert.Equal(positions.Order(), positions);
        }

        grains.AssertExactly(sent);
    }

    [Fact]
    public async Task RunAsync_ConsumerStopsMidwayAndStartsAgain_NeitherLosesNorDoubleAppliesADelta()
    {
        var grains = new StandInGrains();
        Dictionary<string, List<long>> sent;
        long committedAtStop;
        await using (var log = FileEventLog.Open(_directory.Path, partitions: 2))
        {
            sent = await AppendAsync(log, subjects: 16, rounds: 6);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var held = 0;
            grains.Hold = share =>
            {
                if (share.GrainKey == "c5" && share.Deltas.Any(d => d.Events[0].Position >= 32))
                {
                    Volatile.Write(ref held, 1);
                    return gate.Task;
                }

                return Task.CompletedTask;
            };
            await using var consumer = new RecordingConsumer(log.OpenConsumer("rating"));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
            var running = Pipeline(grains, batchRecords: 4, inFlight: 6).RunAsync(consumer, stop.Token);
            await Eventually.EqualsAsync(true, () => Task.FromResult(Volatile.Read(ref held) == 1 && grains.AppliedEvents >= 32 && consumer.Commits.Count > 0), Deadline);

            // The stop: the held call never completes, and whatever was read after the last commit is abandoned.
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
            committedAtStop = consumer.Committed(0) + consumer.Committed(1);
            Assert.True(committedAtStop < 96, $"committed {committedAtStop} of 96 while a call was held");
        }

        grains.Hold = _ => Task.CompletedTask;
        await using (var log = FileEventLog.Open(_directory.Path, partitions: 2))
        {
            await using var consumer = new RecordingConsumer(log.OpenConsumer("rating"));
            Assert.Equal(committedAtStop, await consumer.GetCommittedAsync(0, Token) + await consumer.GetCommittedAsync(1, Token));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
            var running = Pipeline(grains, batchRecords: 4, inFlight: 6).RunAsync(consumer, stop.Token);
            await Eventually.EqualsAsync(true, () => Task.FromResult(consumer.Committed(0) + consumer.Committed(1) == 96), Deadline);
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        }

        grains.AssertExactly(sent);
        Assert.True(grains.Replayed > 0, "the restart replayed deltas the grains already held");
    }

    [Fact]
    public async Task RunAsync_LogFailsToReadAndToCommit_KeepsGoingAndAppliesEveryDeltaOnce()
    {
        await using var log = FileEventLog.Open(_directory.Path, partitions: 2);
        var sent = await AppendAsync(log, subjects: 8, rounds: 5);
        var grains = new StandInGrains();
        await using var consumer = new RecordingConsumer(log.OpenConsumer("rating")) { FailReads = 3, FailCommits = 2 };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var running = Pipeline(grains, batchRecords: 3, inFlight: 4).RunAsync(consumer, stop.Token);

        // Kafka's "unknown topic or partition" while a lost topic is recreated, say: the pipeline waits and goes on.
        await Eventually.EqualsAsync(true, () => Task.FromResult(consumer.Committed(0) + consumer.Committed(1) == 40), Deadline);
        Assert.False(running.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        Assert.Equal((0, 0), (consumer.FailReads, consumer.FailCommits));
        grains.AssertExactly(sent);
    }

    [Fact]
    public async Task RunAsync_CallInFlightSettlesWhileAReadFindsTheEnd_CommitsWithoutTakingItForAFailure()
    {
        await using var log = FileEventLog.Open(_directory.Path, partitions: 1);
        var sent = await AppendAsync(log, subjects: 4, rounds: 1);
        var grains = new StandInGrains();
        // Continuations inline: releasing the gate inside the read settles every call before the read returns.
        var gate = new TaskCompletionSource();
        grains.Hold = _ => gate.Task;
        await using var consumer = new RecordingConsumer(log.OpenConsumer("rating")) { AtEnd = () => gate.TrySetResult() };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        // A failure would pause for an hour: only a pipeline that does not take this for one commits in time.
        var running = Pipeline(grains, batchRecords: 10, inFlight: 4, retryPause: TimeSpan.FromHours(1)).RunAsync(consumer, stop.Token);

        await Eventually.EqualsAsync(4L, () => Task.FromResult(consumer.Committed(0)), Deadline);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        Assert.True(gate.Task.IsCompleted);
        grains.AssertExactly(sent);
    }

    private static UsageDeltaPipeline Pipeline(StandInGrains grains, int batchRecords, int inFlight, TimeSpan retryPause = default) => new(
        Route,
        grains.ApplyAsync,
        new UsageDeltaPipelineOptions(batchRecords, inFlight, TimeSpan.FromMilliseconds(20), retryPause),
        TimeProvider.System,
        NullLogger.Instance);

    // Subject s{i} belongs to customer c{i mod 6}, so most customers own subjects in both partitions.
    private static Task<IReadOnlyList<CustomerDeltas>> Route(LogBatch batch, CancellationToken cancellationToken)
    {
        var deltas = batch.Records.Select(r => UsageDelta.TryDecode(r.Value.Span, out var d) ? d! : throw new InvalidDataException()).ToList();
        IReadOnlyList<CustomerDeltas> routed = [.. deltas.GroupBy(d => "c" + (int.Parse(d.Subject[1..], CultureInfo.InvariantCulture) % 6)).Select(g => new CustomerDeltas(g.Key, [.. g]))];
        return Task.FromResult(routed);
    }

    /// <summary>Appends one delta record per subject per round, each with one event of (round + 1) × 10 tokens; returns each subject's event positions.</summary>
    private static async Task<Dictionary<string, List<long>>> AppendAsync(FileEventLog log, int subjects, int rounds)
    {
        var sent = new Dictionary<string, List<long>>();
        var position = 0L;
        for (var round = 0; round < rounds; round++)
        {
            var records = new List<LogRecord>();
            for (var s = 0; s < subjects; s++)
            {
                var subject = $"s{s}";
                var delta = new UsageDelta("t", subject, s % 3, [new(position, "prompt", At, "src", $"e{position}", $$"""{"tokens":{{(round + 1) * 10}}}""")]);
                (sent.TryGetValue(subject, out var list) ? list : sent[subject] = []).Add(position++);
                records.Add(new LogRecord(delta.Key, delta.Encode()));
            }

            await log.AppendAsync(records, Token);
        }

        return sent;
    }

    /// <summary>Grains as the rating grain applies deltas: watermarks per subject and partition, then the tokens added up.</summary>
    private sealed class StandInGrains
    {
        private readonly ConcurrentDictionary<string, (DeltaWatermarks Marks, Dictionary<string, decimal> Tokens)> _grains = new();
        private readonly ConcurrentDictionary<(string Subject, long Position), int> _applied = new();
        private int _replayed;

        public Func<CustomerDeltas, Task> Hold { get; set; } = _ => Task.CompletedTask;

        public int AppliedEvents => _applied.Count;

        public int Replayed => _replayed;

        public async Task ApplyAsync(CustomerDeltas share)
        {
            await Hold(share);
            var grain = _grains.GetOrAdd(share.GrainKey, _ => (new DeltaWatermarks(), new Dictionary<string, decimal>()));
            lock (grain.Marks)
            {
                foreach (var delta in share.Deltas)
                {
                    var fresh = grain.Marks.Fresh(delta);
                    _replayed += delta.Events.Count - fresh.Count;
                    foreach (var e in fresh)
                    {
                        _applied.AddOrUpdate((delta.Subject, e.Position), 1, (_, n) => n + 1);
                        grain.Tokens[delta.Subject] = grain.Tokens.GetValueOrDefault(delta.Subject) + decimal.Parse(e.Data[10..^1], CultureInfo.InvariantCulture);
                    }
                }
            }
        }

        public void AssertExactly(Dictionary<string, List<long>> sent)
        {
            Assert.Equal(sent.SelectMany(s => s.Value.Select(p => (s.Key, p))).Order(), _applied.Keys.Order());
            Assert.All(_applied, a => Assert.Equal(1, a.Value));
            foreach (var (subject, positions) in sent)
            {
                var grain = _grains["c" + (int.Parse(subject[1..], CultureInfo.InvariantCulture) % 6)];
                Assert.Equal(positions.Select((_, round) => (round + 1) * 10m).Sum(), grain.Tokens[subject]);
            }
        }
    }

    /// <summary>A consumer that remembers every commit made through it.</summary>
    private sealed class RecordingConsumer(IEventLogConsumer inner) : IEventLogConsumer
    {
        private readonly ConcurrentQueue<(int Partition, long Position)> _commits = new();

        public IReadOnlyList<(int Partition, long Position)> Commits => [.. _commits];

        public long Committed(int partition) => _commits.Where(c => c.Partition == partition).Select(c => c.Position).DefaultIfEmpty(0).Max();

        /// <summary>Reads still to fail before one succeeds.</summary>
        public int FailReads { get; set; }

        /// <summary>Commits still to fail (before reaching the log) before one succeeds.</summary>
        public int FailCommits { get; set; }

        /// <summary>Called when a read finds nothing more to read, before it returns.</summary>
        public Action? AtEnd { get; init; }

        public async ValueTask<LogBatch?> ReadAsync(int maxRecords, TimeSpan maxWait, CancellationToken cancellationToken)
        {
            if (FailReads > 0 && FailReads-- > 0)
            {
                throw new IOException("the log did not answer");
            }

            var batch = await inner.ReadAsync(maxRecords, maxWait, cancellationToken);
            if (batch is null)
            {
                AtEnd?.Invoke();
            }

            return batch;
        }

        public async ValueTask<bool> CommitAsync(int partition, long nextPosition, CancellationToken cancellationToken)
        {
            if (FailCommits > 0 && FailCommits-- > 0)
            {
                throw new IOException("the log did not take the commit");
            }

            var done = await inner.CommitAsync(partition, nextPosition, cancellationToken);
            _commits.Enqueue((partition, nextPosition));
            return done;
        }

        public ValueTask<long> GetCommittedAsync(int partition, CancellationToken cancellationToken) => inner.GetCommittedAsync(partition, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
