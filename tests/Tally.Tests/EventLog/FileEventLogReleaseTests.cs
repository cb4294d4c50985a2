using System.Text;
using Tally.Billing.EventLog;
using Tally.EventLog;
using Tally.EventLog.Embedded;
using Xunit;

namespace Tally.Tests.EventLog;

/// <summary>
/// The embedded log as the ingest buffer uses it: a capacity that refuses an append whole, and releases that delete
/// what its one reader has passed on, a segment at a time, without disturbing that reader or a reopen.
/// </summary>
public sealed class FileEventLogReleaseTests : IDisposable
{
    private const long SegmentBytes = 4096;
    private readonly TempDirectory _directory = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReleaseAsync_PastSealedSegments_DeletesThemAndReaderAndReopenResumeAtThePosition()
    {
        var key = LogContent.KeyPerPartition[1];
        var records = Enumerable.Range(0, 200).Select(i => LogContent.Record(key, $"event-{i:D3}-{new string('x', 90)}")).ToList();
        await using (var log = FileEventLog.Open(_directory.Path, LogContent.Partitions, SegmentBytes))
        {
            await log.AppendAsync(records, Token);
            var segmentsBefore = Segments(1);
            var lengths = segmentsBefore.ToDictionary(s => s, s => new FileInfo(s).Length);
            var sizeBefore = log.SizeInBytes;
            await using var reader = log.OpenConsumer("forwarder");
            var first = await ReadAsync(reader, 150);
            Assert.True(await reader.CommitAsync(1, 150, Token));

            await log.ReleaseAsync(1, 150, Token);

            // Every segment ending at or before 150 is gone; the one holding 150 stays.
            var kept = Segments(1);
            Assert.True(segmentsBefore.Count > 4, $"only {segmentsBefore.Count} segments");
            Assert.Equal(segmentsBefore.Where(s => NextBase(segmentsBefore, s) is not { } end || end > 150), kept);
            Assert.True(SegmentBase(kept[0]) <= 150);
            Assert.Equal(sizeBefore - segmentsBefore.Except(kept).Sum(s => lengths[s]), log.SizeInBytes);
            Assert.Equal(records.Take(150).Select(r => Text(r.Value)), first);
            Assert.Equal(records.Skip(150).Select(r => Text(r.Value)), await ReadAsync(reader, 50));
            await log.AppendAsync([LogContent.Record(key, "after-release")], Token);
        }

        await using var reopened = FileEventLog.Open(_directory.Path, LogContent.Partitions, SegmentBytes);
        await using var resumed = reopened.OpenConsumer("forwarder");
        Assert.Equal([0L, 201, 0, 0], await reopened.GetEndPositionsAsync(Token));
        Assert.Equal([.. records.Skip(150).Select(r => Text(r.Value)), "after-release"], await ReadAsync(resumed, 51));
    }

    [Fact]
    public async Task ReleaseAsync_EverythingPassedOn_SealsTheActiveSegmentAndDeletesIt()
    {
        var key = LogContent.KeyPerPartition[2];
        await using var log = FileEventLog.Open(_directory.Path, LogContent.Partitions, 64 * 1024);
        await log.AppendAsync([.. Enumerable.Range(0, 200).Select(i => LogContent.Record(key, new string('v', 100)))], Token);
        var single = Assert.Single(Segments(2));

        await log.ReleaseAsync(2, 200, Token);

        // A fresh, empty segment named by the next position; the released one is gone.
        Assert.Equal([Path.Combine(Path.GetDirectoryName(single)!, "00000000000000000200.seg")], Segments(2));
        Assert.Equal(0, log.SizeInBytes);
        await log.AppendAsync([LogContent.Record(key, "next")], Token);

        // A group that never read what was released starts at the oldest record left.
        await using var reader = log.OpenConsumer("late");
        var batch = await reader.ReadAsync(10, TimeSpan.FromSeconds(5), Token);
        Assert.Equal((200L, "next"), (batch!.FirstPosition, Text(batch.Records[0].Value)));
    }

    [Fact]
    public async Task ReleaseAsync_ActiveSegmentSmallerThanAQuarter_KeepsIt()
    {
        var key = LogContent.KeyPerPartition[0];
        await using var log = FileEventLog.Open(_directory.Path, LogContent.Partitions, 64 * 1024);
        await log.AppendAsync([LogContent.Record(key, "small")], Token);

        await log.ReleaseAsync(0, 1, Token);

        Assert.Equal(["00000000000000000000.seg"], Segments(0).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AppendAsync_PastCapacity_RefusedWholeNothingStoredAndFitsAgainAfterRelease()
    {
        var keys = LogContent.KeyPerPartition;
        var record = (string key, int i) => LogContent.Record(key, $"{i:D4}{new string('p', 500)}");
        var size = RecordFrameSize(record(keys[0], 0));
        await using var log = FileEventLog.Open(_directory.Path, LogContent.Partitions, 8 * 1024, capacityBytes: 40 * size);
        await log.AppendAsync([.. Enumerable.Range(0, 30).Select(i => record(keys[i % 4], i))], Token);

        // Ten more would fit exactly; eleven spread over every partition may not, and none of them is stored.
        var refused = await Assert.ThrowsAsync<EventLogFullException>(async () => await log.AppendAsync([.. Enumerable.Range(30, 11).Select(i => record(keys[i % 4], i))], Token));
        Assert.Contains("were not stored", refused.Message, StringComparison.Ordinal);
        Assert.Equal(30 * size, log.SizeInBytes);
        Assert.Equal(30, (await log.GetEndPositionsAsync(Token)).Sum());
        await log.AppendAsync([.. Enumerable.Range(30, 10).Select(i => record(keys[i % 4], i))], Token);
        await Assert.ThrowsAsync<EventLogFullException>(async () => await log.AppendAsync([record(keys[0], 40)], Token));

        // Partition 0 passed on (its active segment is past a quarter of 8 KiB): its bytes are free again.
        await log.ReleaseAsync(0, 10, Token);
        await log.AppendAsync([record(keys[1], 40)], Token);

        Assert.Equal([10L, 11, 10, 10], await log.GetEndPositionsAsync(Token));
        Assert.Equal(31 * size, log.SizeInBytes);
    }

    public void Dispose() => _directory.Dispose();

    private static async Task<List<string>> ReadAsync(IEventLogConsumer reader, int count)
    {
        var values = new List<string>();
        while (values.Count < count)
        {
            var batch = await reader.ReadAsync(count - values.Count, TimeSpan.FromSeconds(10), Token);
            Assert.NotNull(batch);
            values.AddRange(batch.Records.Select(r => Text(r.Value)));
        }

        return values;
    }

    private static string Text(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.Span);

    private static long RecordFrameSize(LogRecord record) => 8 + 2 + Encoding.UTF8.GetByteCount(record.Key) + record.Value.Length;

    private static long SegmentBase(string path) => long.Parse(Path.GetFileNameWithoutExtension(path), System.Globalization.CultureInfo.InvariantCulture);

    private static long? NextBase(List<string> segments, string segment) =>
        segments.IndexOf(segment) is var i && i + 1 < segments.Count ? SegmentBase(segments[i + 1]) : null;

    private List<string> Segments(int partition) =>
        [.. Directory.GetFiles(Path.Combine(_directory.Path, $"p{partition:D4}"), "*.seg").Order(StringComparer.Ordinal)];
}
