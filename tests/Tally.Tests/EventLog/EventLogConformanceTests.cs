using System.Diagnostics;
using System.Text;
using Tally.Billing.EventLog;
using Tally.EventLog;
using Xunit;

namespace Tally.Tests.EventLog;

/// <summary>The behavior every <see cref="IEventLog"/> must show; each implementation derives a test class.</summary>
public abstract class EventLogConformanceTests : IAsyncDisposable
{
    protected static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);

    private readonly List<IAsyncDisposable> _owned = [];

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Creates a new, empty log that the test class disposes.</summary>
    protected abstract IEventLog CreateLog();

    [Fact]
    public async Task AppendAsync_RecordsOfManyKeys_ReadBackWithExactKeysValuesAndDensePositions()
    {
        var log = Own(CreateLog());
        var records = Enumerable.Range(0, 40).Select(i => Record($"tenant-{i % 7}:subject", $"event-{i}")).ToList();

        await log.AppendAsync(records, Token);

        var consumer = Own(log.OpenConsumer("readers"));
        var read = await ReadExactlyAsync(consumer, records.Count);
        foreach (var partition in read.GroupBy(r => r.Partition))
        {
            var expected = records.Where(r => KeyPartitionOf(r.Key, log) == partition.Key).ToList();
            Assert.Equal(Enumerable.Range(0, expected.Count).Select(i => (long)i), partition.Select(r => r.Position));
            Assert.Equal(expected.Select(r => r.Key), partition.Select(r => r.Key));
            Assert.Equal(expected.Select(r => Text(r.Value)), partition.Select(r => Text(r.Value)));
        }

        Assert.Equal(records.Select(r => Text(r.Value)).Order(), read.Select(r => Text(r.Value)).Order());
    }

    [Fact]
    public async Task AppendAsync_SameKey_AllRecordsInThePartitionOfTheKeyHash()
    {
        var log = Own(CreateLog());
        await log.AppendAsync([.. Enumerable.Range(0, 10).Select(i => Record("acme:meter-1", $"v{i}"))], Token);

        var read = await ReadExactlyAsync(Own(log.OpenConsumer("g")), 10);

        var expectedPartition = KeyPartitionOf("acme:meter-1", log);
        Assert.All(read, r => Assert.Equal(expectedPartition, r.Partition));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{i}"), read.Select(r => Text(r.Value)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), read.Select(r => r.Position));
    }

    [Fact]
    public async Task OpenConsumer_AfterCommitInSameGroup_ResumesAtCommittedPosition()
    {
        var log = Own(CreateLog());
        await log.AppendAsync([.. Enumerable.Range(0, 10).Select(i => Record("k", $"v{i}"))], Token);
        var partition = KeyPartitionOf("k", log);
        var first = log.OpenConsumer("billing");
        await ReadExactlyAsync(first, 10);

        Assert.True(await first.CommitAsync(partition, 4, Token));
        Assert.Equal(4, await first.GetCommittedAsync(partition, Token));
        await first.DisposeAsync();

        var second = Own(log.OpenConsumer("billing"));
        var resumed = await ReadExactlyAsync(second, 6);
        Assert.Equal([4L, 5, 6, 7, 8, 9], resumed.Select(r => r.Position));
        Assert.Equal(["v4", "v5", "v6", "v7", "v8", "v9"], resumed.Select(r => Text(r.Value)));
        Assert.Equal(4, await second.GetCommittedAsync(partition, Token));
    }

    [Fact]
    public async Task OpenConsumer_TwoGroups_EachReadsEverythingAndCommitsIndependently()
    {
        var log = Own(CreateLog());
        await log.AppendAsync([.. Enumerable.Range(0, 5).Select(i => Record("k", $"v{i}"))], Token);
        var partition = KeyPartitionOf("k", log);
        var aggregator = Own(log.OpenConsumer("aggregator"));
        var audit = Own(log.OpenConsumer("audit"));

        var byAggregator = await ReadExactlyAsync(aggregator, 5);
        var byAudit = await ReadExactlyAsync(audit, 5);
        Assert.True(await aggregator.CommitAsync(partition, 5, Token));

        Assert.Equal(byAggregator.Select(r => Text(r.Value)), byAudit.Select(r => Text(r.Value)));
        Assert.Equal(5, await aggregator.GetCommittedAsync(partition, Token));
        Assert.Equal(0, await audit.GetCommittedAsync(partition, Token));
    }

    [Fact]
    public async Task ReadAsync_EmptyLog_ReturnsNullAfterMaxWait()
    {
        var log = Own(CreateLog());
        var consumer = Own(log.OpenConsumer("idle"));
        var maxWait = TimeSpan.FromMilliseconds(500);
        var clock = Stopwatch.StartNew();

        var batch = await consumer.ReadAsync(100, maxWait, Token);

        Assert.Null(batch);
        Assert.InRange(clock.Elapsed, maxWait - TimeSpan.FromMilliseconds(50), maxWait + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AppendAsync_ConcurrentAppenders_EveryRecordReadBackExactlyOnce()
    {
        const int Appenders = 8;
        const int PerAppender = 500;
        var log = Own(CreateLog());

        await Task.WhenAll(Enumerable.Range(0, Appenders).Select(a => Task.Run(async () =>
        {
            for (var i = 0; i < PerAppender; i += 50)
            {
                await log.AppendAsync([.. Enumerable.Range(i, 50).Select(n => Record($"appender-{a}:{n % 13}", $"{a}/{n}"))], Token);
            }
        })));

        var read = await ReadExactlyAsync(Own(log.OpenConsumer("all")), Appenders * PerAppender);
        var expected = Enumerable.Range(0, Appenders).SelectMany(a => Enumerable.Range(0, PerAppender).Select(n => $"{a}/{n}"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), read.Select(r => Text(r.Value)).Order(StringComparer.Ordinal));
        foreach (var partition in read.GroupBy(r => r.Partition))
        {
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(r => r.Position).Order());
        }
    }

    [Fact]
    public async Task ReadAsync_AppendWhileWaiting_ReturnsTheNewRecordBeforeMaxWait()
    {
        var log = Own(CreateLog());
        var consumer = Own(log.OpenConsumer("waiter"));
        await log.AppendAsync([Record("k", "first")], Token);
        Assert.Equal(["first"], (await ReadExactlyAsync(consumer, 1)).Select(r => Text(r.Value)));

        var pending = consumer.ReadAsync(10, ReadTimeout, Token).AsTask();
        await log.AppendAsync([Record("k", "second")], Token);
        var batch = await pending.WaitAsync(ReadTimeout, Token);

        Assert.NotNull(batch);
        Assert.Equal(["second"], batch.Records.Select(r => Text(r.Value)));
        Assert.Equal((1L, 2L), (batch.FirstPosition, batch.NextPosition));
    }

    [Fact]
    public async Task CommitAsync_PartitionNotAssigned_ReturnsFalse()
    {
        var log = Own(CreateLog());
        var consumer = Own(log.OpenConsumer("committer"));

        Assert.False(await consumer.CommitAsync(log.PartitionCount + 3, 1, Token));
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        await DisposeLogResourcesAsync();
        GC.SuppressFinalize(this);
    }

    protected virtual ValueTask DisposeLogResourcesAsync() => ValueTask.CompletedTask;

    protected T Own<T>(T resource)
        where T : IAsyncDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    protected static LogRecord Record(string key, string value) => new(key, Encoding.UTF8.GetBytes(value));

    protected static string Text(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.Span);

    protected static int KeyPartitionOf(string key, IEventLog log) => Tally.EventLog.KeyPartitioner.ForKey(key, log.PartitionCount);

    /// <summary>Reads until exactly <paramref name="count"/> records arrived, checking every batch's shape.</summary>
    protected static async Task<List<StoredRecord>> ReadExactlyAsync(IEventLogConsumer consumer, int count)
    {
        var records = new List<StoredRecord>();
        var clock = Stopwatch.StartNew();
        while (records.Count < count)
        {
            Assert.True(clock.Elapsed < ReadTimeout, $"Read {records.Count} of {count} records within {ReadTimeout}.");
            var batch = await consumer.ReadAsync(500, TimeSpan.FromSeconds(1), Token);
            if (batch is null)
            {
                continue;
            }

            Assert.NotEmpty(batch.Records);
            Assert.All(batch.Records, r => Assert.Equal(batch.Partition, r.Partition));
            Assert.Equal(
                Enumerable.Range(0, batch.Records.Count).Select(i => batch.FirstPosition + i),
                batch.Records.Select(r => r.Position));
            Assert.Equal(batch.FirstPosition + batch.Records.Count, batch.NextPosition);
            records.AddRange(batch.Records);
        }

        Assert.Null(await consumer.ReadAsync(500, TimeSpan.FromMilliseconds(200), Token));
        return records;
    }
}
