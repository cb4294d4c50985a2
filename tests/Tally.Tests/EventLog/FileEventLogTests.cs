using System.Text;
using Tally.Billing.EventLog;
using Tally.EventLog;
using Tally.EventLog.Embedded;
using Xunit;

namespace Tally.Tests.EventLog;

public sealed class FileEventLogTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_AfterDispose_KeepsAllRecordsAndCommittedPositions()
    {
        await using (var log = FileEventLog.Open(_directory.Path, partitions: 4))
        {
            await log.AppendAsync([.. Enumerable.Range(0, 30).Select(i => Record($"k{i % 5}", $"v{i}"))], Token);
            await using var consumer = log.OpenConsumer("g");
            Assert.True(await consumer.CommitAsync(Partition("k1"), 2, Token));
        }

        await using var reopened = FileEventLog.Open(_directory.Path, partitions: 4);
        await using var fresh = reopened.OpenConsumer("fresh");
        var all = await ReadAllAsync(fresh);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"v{i}").Order(), all.Select(r => Text(r.Value)).Order());

        await using var resumed = reopened.OpenConsumer("g");
        Assert.Equal(2, await resumed.GetCommittedAsync(Partition("k1"), Token));
        var expected = all.Where(r => r.Partition != Partition("k1") || r.Position >= 2).Select(r => (r.Partition, r.Position, Text(r.Value)));
        Assert.Equal(expected, (await ReadAllAsync(resumed)).Select(r => (r.Partition, r.Position, Text(r.Value))));
    }

    [Fact]
    public async Task Open_GarbageAppendedToSegment_TruncatesTailAndKeepsEarlierRecords()
    {
        await AppendAsync(Enumerable.Range(0, 5).Select(i => Record("k", $"v{i}")));
        var segment = SegmentPath("k");
        var intactLength = new FileInfo(segment).Length;
        await File.AppendAllTextAsync(segment, "{\"torn\":", Token);

        await using var log = FileEventLog.Open(_directory.Path, partitions: 4);
        Assert.Equal(intactLength, new FileInfo(segment).Length);
        await log.AppendAsync([Record("k", "after-crash")], Token);

        await using var consumer = log.OpenConsumer("g");
        var read = await ReadAllAsync(consumer);
        Assert.Equal(["v0", "v1", "v2", "v3", "v4", "after-crash"], read.Select(r => Text(r.Value)));
        Assert.Equal([0L, 1, 2, 3, 4, 5], read.Select(r => r.Position));
    }

    [Fact]
    public async Task Open_SegmentTruncatedMidRecord_DropsOnlyTheTornRecord()
    {
        await AppendAsync(Enumerable.Range(0, 5).Select(i => Record("k", $"value-{i}")));
        var segment = SegmentPath("k");
        await using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(file.Length - 3);
        }

        await using var log = FileEventLog.Open(_directory.Path, partitions: 4);
        await using var consumer = log.OpenConsumer("g");
        var read = await ReadAllAsync(consumer);
        Assert.Equal(["value-0", "value-1", "value-2", "value-3"], read.Select(r => Text(r.Value)));
    }

    [Fact]
    public async Task Open_CorruptedByteInLastRecord_DropsThatRecord()
    {
        await AppendAsync(Enumerable.Range(0, 3).Select(i => Record("k", $"value-{i}")));
        var segment = SegmentPath("k");
        var bytes = await File.ReadAllBytesAsync(segment, Token);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes, Token);

        await using var log = FileEventLog.Open(_directory.Path, partitions: 4);
        await using var consumer = log.OpenConsumer("g");
        Assert.Equal(["value-0", "value-1"], (await ReadAllAsync(consumer)).Select(r => Text(r.Value)));
    }

    [Fact]
    public async Task Open_DifferentPartitionCount_ThrowsNamingBothCounts()
    {
        await AppendAsync([Record("k", "v")]);

        var error = Assert.Throws<InvalidOperationException>(() => FileEventLog.Open(_directory.Path, partitions: 8));

        Assert.Equal(
            $"The event log in '{_directory.Path}' was created with 4 partitions but EventLog:Partitions is 8. " +
            "The partition count is fixed at creation; set EventLog:Partitions to 4.",
            error.Message);
    }

    [Fact]
    public async Task Open_DirectoryAlreadyOpen_ThrowsNamingTheDirectory()
    {
        await using var first = FileEventLog.Open(_directory.Path, partitions: 4);

        var error = Assert.Throws<IOException>(() => FileEventLog.Open(_directory.Path, partitions: 4));

        Assert.Equal($"The event log directory '{_directory.Path}' is already open by another process or log instance.", error.Message);
    }

    [Fact]
    public async Task ReadAsync_ManySmallSegments_ReadsAcrossSegmentsAndResumesMidSegment()
    {
        const int Count = 6000;
        await using (var log = FileEventLog.Open(_directory.Path, partitions: 1, segmentBytes: 64 * 1024))
        {
            for (var i = 0; i < Count; i += 500)
            {
                await log.AppendAsync([.. Enumerable.Range(i, 500).Select(n => Record("k", $"record-{n:D5}"))], Token);
            }

            await using var consumer = log.OpenConsumer("g");
            var all = await ReadAllAsync(consumer);
            Assert.Equal(Enumerable.Range(0, Count).Select(n => $"record-{n:D5}"), all.Select(r => Text(r.Value)));
            Assert.True(await consumer.CommitAsync(0, 4321, Token));
        }

        // 23-byte frames: 2849 fit in 64 KiB, so the sparse index (every 1024) is used mid-segment too.
        Assert.Equal(
            ["00000000000000000000.seg", "00000000000000002849.seg", "00000000000000005698.seg"],
            Directory.GetFiles(Path.Combine(_directory.Path, "p0000"), "*.seg").Select(Path.GetFileName).Order());
        await using var reopened = FileEventLog.Open(_directory.Path, partitions: 1, segmentBytes: 64 * 1024);
        await using var resumed = reopened.OpenConsumer("g");
        var rest = await ReadAllAsync(resumed);
        Assert.Equal(Enumerable.Range(4321, Count - 4321).Select(n => $"record-{n:D5}"), rest.Select(r => Text(r.Value)));
        Assert.Equal(4321, rest[0].Position);
    }

    [Fact]
    public async Task OpenConsumer_GroupAlreadyOpen_Throws()
    {
        await using var log = FileEventLog.Open(_directory.Path, partitions: 4);
        await using var first = log.OpenConsumer("g");

        var error = Assert.Throws<InvalidOperationException>(() => log.OpenConsumer("g"));

        Assert.Contains("'g' already has an open consumer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_TwoPartitionsWithData_AlternatesBetweenThem()
    {
        var keys = Enumerable.Range(0, 100).Select(i => $"key-{i}").DistinctBy(Partition).Take(2).OrderBy(Partition).ToList();
        await using var log = FileEventLog.Open(_directory.Path, partitions: 4);
        await log.AppendAsync([.. keys.SelectMany(k => Enumerable.Range(0, 3).Select(i => Record(k, $"{k}/{i}")))], Token);
        await using var consumer = log.OpenConsumer("g");

        var served = new List<(int Partition, long First)>();
        while (await consumer.ReadAsync(1, TimeSpan.Zero, Token) is { } batch)
        {
            served.Add((batch.Partition, batch.FirstPosition));
        }

        var (a, b) = (Partition(keys[0]), Partition(keys[1]));
        Assert.Equal([(a, 0L), (b, 0L), (a, 1L), (b, 1L), (a, 2L), (b, 2L)], served);
    }

    [Fact]
    public async Task CommitAsync_BeyondDurableEnd_Throws()
    {
        await using var log = FileEventLog.Open(_directory.Path, partitions: 4);
        await log.AppendAsync([Record("k", "v")], Token);
        await using var consumer = log.OpenConsumer("g");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await consumer.CommitAsync(Partition("k"), 2, Token));
        Assert.Equal(0, await consumer.GetCommittedAsync(Partition("k"), Token));
    }

    public void Dispose() => _directory.Dispose();

    private static LogRecord Record(string key, string value) => new(key, Encoding.UTF8.GetBytes(value));

    private static string Text(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.Span);

    private static int Partition(string key) => KeyPartitioner.ForKey(key, 4);

    private string SegmentPath(string key) =>
        Path.Combine(_directory.Path, $"p{Partition(key):D4}", "00000000000000000000.seg");

    private async Task AppendAsync(IEnumerable<LogRecord> records)
    {
        await using var log = FileEventLog.Open(_directory.Path, partitions: 4);
        await log.AppendAsync([.. records], Token);
    }

    private static async Task<List<StoredRecord>> ReadAllAsync(IEventLogConsumer consumer)
    {
        var records = new List<StoredRecord>();
        while (await consumer.ReadAsync(1000, TimeSpan.FromMilliseconds(100), Token) is { } batch)
        {
            records.AddRange(batch.Records);
        }

        return [.. records.OrderBy(r => r.Partition).ThenBy(r => r.Position)];
    }
}
