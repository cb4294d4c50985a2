using System.Buffers;
using System.Text;
using Tally.Billing;
using Tally.Billing.EventLog;
using Tally.EventLog.Embedded;
using static Tally.Tests.EventLog.LogContent;

namespace Tally.Tests.EventLog;

/// <summary>A group commit spans partitions, and consumers see all of it or none of it, also after a crash.</summary>
public sealed class FileEventLogAtomicCommitTests : IDisposable
{
    private const long SmallSegments = 4096;
    private readonly TempDirectory _directory = new();

    // Copies of the log directory as a crash would leave it; deleted with the test, whatever failed.
    private readonly TempDirectory _crashes = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AppendAsync_ThirdPartitionWriteFailsAfterTwoWereSynced_NoRecordOfTheGroupVisibleNowOrAfterReopen()
    {
        var first = Group("first", perPartition: 2);
        await using var log = FileEventLog.Open(_directory.Path, Partitions);
        await log.AppendAsync(first, Token);
        var lengths = SegmentLengths();
        var synced = new List<int>();
        log.Steps.Hook = FailNthSegmentWrite(3, synced);

        await Assert.ThrowsAsync<StorageFullException>(async () => await log.AppendAsync(Group("refused", perPartition: 2), Token));

        Assert.Equal([0, 1], synced);
        Assert.Equal(lengths, SegmentLengths());
        await using var consumer = log.OpenConsumer("aggregator");
        var beforeNext = await ReadAllAsync(consumer);
        Assert.Equal(Expected(first), beforeNext);

        log.Steps.Hook = null;
        var next = Group("next", perPartition: 1);
        await log.AppendAsync(next, Token);

        Assert.Equal(Expected([.. first, .. next]), Sorted([.. beforeNext, .. await ReadAllAsync(consumer)]));
        await log.DisposeAsync();
        Assert.Equal(Expected([.. first, .. next]), await ReopenAndReadAsync(_directory.Path));
    }

    [Theory]
    [InlineData(nameof(WriteStep.SegmentWrite))]
    [InlineData(nameof(WriteStep.SegmentSynced))]
    [InlineData(nameof(WriteStep.JournalWrite))]
    [InlineData(nameof(WriteStep.JournalWritten))]
    [InlineData(nameof(WriteStep.JournalSynced))]
    public async Task AppendAsync_FailsAtAnyStep_RefusedGroupNeverVisibleNowOrAfterReopen(string failAt)
    {
        var step = Enum.Parse<WriteStep>(failAt);
        var first = Group("first", perPartition: 2);
        await using var log = FileEventLog.Open(_directory.Path, Partitions);
        await log.AppendAsync(first, Token);
        log.Steps.Hook = (reached, partition, _) =>
        {
            // Segment steps fail at partition 2, after partitions 0 and 1 were written and synced.
            if (reached == step && partition is 2 or -1)
            {
                throw new IOException("No space left on device", SimulatedDisk.NoSpace);
            }
        };

        await Assert.ThrowsAsync<StorageFullException>(async () => await log.AppendAsync(Group("refused", perPartition: 2), Token));

        log.Steps.Hook = null;
        await using (var consumer = log.OpenConsumer("aggregator"))
        {
            Assert.Equal(Expected(first), await ReadAllAsync(consumer));
        }

        var next = Group("next", perPartition: 1);
        await log.AppendAsync(next, Token);
        await log.DisposeAsync();
        Assert.Equal(Expected([.. first, .. next]), await ReopenAndReadAsync(_directory.Path));
    }

    [Fact]
    public async Task Open_AfterCrashAtEveryStepOfAGroupCommit_ShowsTheWholeGroupOrNoneOfIt()
    {
        // 3 frames of ~930 bytes per partition; the group's second record per partition rolls to a new segment.
        var first = Group("first", perPartition: 3, valueLength: 900);
        var group = Group("group", perPartition: 3, valueLength: 900);
        var crashes = new List<(WriteStep Step, int Partition, string Directory)>();
        await using (var log = FileEventLog.Open(_directory.Path, Partitions, SmallSegments))
        {
            await log.AppendAsync(first, Token);
            log.Steps.Hook = (step, partition, _) =>
            {
                // What SIGKILL at this step leaves: every file as written so far, with no rollback.
                var copy = Path.Combine(_crashes.Path, $"crash-{crashes.Count:D2}");
                CopyLogDirectory(_directory.Path, copy);
                crashes.Add((step, partition, copy));
            };
            await log.AppendAsync(group, Token);
        }

        Assert.Contains((WriteStep.SegmentSynced, 0), crashes.Select(c => (c.Step, c.Partition)));
        Assert.True(crashes.Count(c => c.Step == WriteStep.SegmentWrite) > Partitions, "The group rolled no segment.");
        var next = Group("next", perPartition: 1, valueLength: 900);
        foreach (var (step, partition, copy) in crashes)
        {
            // The journal entry is the commit point: once written, the group is in even if the process died
            // before answering; before it, none of the group is.
            List<LogRecord> committed = step is WriteStep.JournalWritten or WriteStep.JournalSynced ? [.. first, .. group] : first;
            var content = await ReopenAndReadAsync(copy, SmallSegments);
            Assert.True(
                Expected(committed).SequenceEqual(content),
                $"After a crash at {step} (partition {partition}) the log must hold {committed.Count} records, and holds {content.Count}.");
            await using (var reopened = FileEventLog.Open(copy, Partitions, SmallSegments))
            {
                await reopened.AppendAsync(next, Token);
            }

            Assert.Equal(Expected([.. committed, .. next]), await ReopenAndReadAsync(copy, SmallSegments));
        }
    }

    [Fact]
    public async Task Open_CrashMidGroupAfterAGroupRefusedOnceItsJournalEntryWasSynced_ShowsNeitherGroup()
    {
        var first = Group("first", perPartition: 2);
        var crash = Path.Combine(_crashes.Path, "crash");
        await using (var log = FileEventLog.Open(_directory.Path, Partitions))
        {
            await log.AppendAsync(first, Token);
            log.Steps.Hook = (step, _, _) =>
            {
                if (step == WriteStep.JournalSynced)
                {
                    throw new IOException("No space left on device", SimulatedDisk.NoSpace);
                }
            };
            await Assert.ThrowsAsync<StorageFullException>(async () => await log.AppendAsync(Group("refused", perPartition: 2), Token));

            // Same sizes as the refused group, so its entry, had it stayed, would cover these records.
            log.Steps.Hook = (step, partition, _) =>
            {
                if (step == WriteStep.SegmentSynced && partition == 2)
                {
                    CopyLogDirectory(_directory.Path, crash);
                }
            };
            await log.AppendAsync(Group("crashed", perPartition: 2), Token);
        }

        Assert.Equal(Expected(first), await ReopenAndReadAsync(crash));
    }

    [Fact]
    public async Task Open_JournalCountsARecordTheSegmentLost_AGroupCrashingMidWriteLaterStaysInvisible()
    {
        var key = KeyPerPartition[0];
        await using (var log = FileEventLog.Open(_directory.Path, Partitions))
        {
            await log.AppendAsync([.. Enumerable.Range(0, 3).Select(i => Record(key, $"kept-{i}"))], Token);
        }

        // A committed record torn after the fact (a disk fault): the journal says 3, the segment holds 2.
        await using (var segment = new FileStream(Path.Combine(_directory.Path, "p0000", "00000000000000000000.seg"), FileMode.Open))
        {
            segment.SetLength(segment.Length - 3);
        }

        var crash = Path.Combine(_crashes.Path, "crash");
        await using (var log = FileEventLog.Open(_directory.Path, Partitions))
        {
            log.Steps.Hook = (step, partition, _) =>
            {
                if (step == WriteStep.SegmentSynced && partition == 1)
                {
                    CopyLogDirectory(_directory.Path, crash);
                }
            };

            // Its record in partition 0 takes position 2, which the stale journal entry would cover.
            await log.AppendAsync([Record(key, "crashed"), Record(KeyPerPartition[1], "crashed")], Token);
        }

        Assert.Equal(Expected([Record(key, "kept-0"), Record(key, "kept-1")]), await ReopenAndReadAsync(crash));
    }

    [Fact]
    public async Task AppendAsync_FailsAfterASegmentRolled_DeletesTheRolledSegmentAndContinuesInTheOldOne()
    {
        var first = Group("first", perPartition: 3, valueLength: 900);
        await using var log = FileEventLog.Open(_directory.Path, Partitions, SmallSegments);
        await log.AppendAsync(first, Token);
        var files = SegmentFiles();

        // The rolls write partitions 0-3 once each before the final writes; fail the first final write.
        log.Steps.Hook = FailNthSegmentWrite(Partitions + 1, []);
        await Assert.ThrowsAsync<StorageFullException>(async () => await log.AppendAsync(Group("refused", 3, 900), Token));

        Assert.Equal(files, SegmentFiles());
        log.Steps.Hook = null;
        var next = Group("next", perPartition: 3, valueLength: 900);
        await log.AppendAsync(next, Token);
        await using var consumer = log.OpenConsumer("aggregator");
        Assert.Equal(Expected([.. first, .. next]), await ReadAllAsync(consumer));
        await log.DisposeAsync();
        Assert.Equal(Expected([.. first, .. next]), await ReopenAndReadAsync(_directory.Path, SmallSegments));
    }

    [Fact]
    public async Task ReadAsync_ReadAheadHeldBytesOfARolledBackGroup_ReturnsTheRecordsCommittedInTheirPlace()
    {
        var key = KeyPerPartition[0];
        await using var log = FileEventLog.Open(_directory.Path, Partitions);
        await log.AppendAsync([.. Enumerable.Range(0, 3).Select(i => Record(key, $"first-{i}"))], Token);
        await using var consumer = log.OpenConsumer("aggregator");
        LogBatch? readMidGroup = null;
        log.Steps.Hook = (step, partition, _) =>
        {
            if (step == WriteStep.SegmentSynced && partition == 0)
            {
                // The refused group's bytes are in partition 0's file now; this read buffers them ahead.
                readMidGroup = consumer.ReadAsync(10, TimeSpan.Zero, Token).AsTask().GetAwaiter().GetResult();
            }
            else if (step == WriteStep.SegmentWrite && partition == 1)
            {
                throw new IOException("No space left on device", SimulatedDisk.NoSpace);
            }
        };

        await Assert.ThrowsAsync<StorageFullException>(async () =>
            await log.AppendAsync([Record(key, "refused-0"), Record(key, "refused-1"), Record(KeyPerPartition[1], "refused")], Token));
        log.Steps.Hook = null;
        await log.AppendAsync([Record(key, "second-0"), Record(key, "second-1")], Token);

        Assert.Equal(["first-0", "first-1", "first-2"], readMidGroup!.Records.Select(r => Encoding.UTF8.GetString(r.Value.Span)));
        var batch = await consumer.ReadAsync(10, TimeSpan.FromSeconds(30), Token);
        Assert.Equal([(3L, "second-0"), (4L, "second-1")], batch!.Records.Select(r => (r.Position, Encoding.UTF8.GetString(r.Value.Span))));
    }

    [Fact]
    public async Task Open_LastJournalEntryTorn_DropsThatGroupFromEveryPartition()
    {
        var first = Group("first", perPartition: 2);
        await using (var log = FileEventLog.Open(_directory.Path, Partitions))
        {
            await log.AppendAsync(first, Token);
            await log.AppendAsync(Group("torn", perPartition: 2), Token);
        }

        var journal = Path.Combine(_directory.Path, CommitJournal.FileName);
        await using (var file = new FileStream(journal, FileMode.Open))
        {
            file.SetLength(file.Length - 5);
        }

        Assert.Equal(Expected(first), await ReopenAndReadAsync(_directory.Path));
        var next = Group("next", perPartition: 1);
        await using (var log = FileEventLog.Open(_directory.Path, Partitions))
        {
            await log.AppendAsync(next, Token);
        }

        Assert.Equal(Expected([.. first, .. next]), await ReopenAndReadAsync(_directory.Path));
    }

    [Fact]
    public async Task AppendAsync_JournalPastCompactSize_StaysSmallAndKeepsEveryRecord()
    {
        const int EntryBytes = 8 + (8 * Partitions) + 4;
        var records = new List<LogRecord>();
        await using (var log = FileEventLog.Open(_directory.Path, Partitions))
        {
            log.JournalCompactBytes = 200;
            for (var i = 0; i < 40; i++)
            {
                var record = Record(KeyPerPartition[i % Partitions], $"group-{i}");
                await log.AppendAsync([record], Token);
                records.Add(record);
                Assert.InRange(new FileInfo(Path.Combine(_directory.Path, CommitJournal.FileName)).Length, 16 + EntryBytes, 200 + EntryBytes);
            }
        }

        Assert.Equal(Expected(records), await ReopenAndReadAsync(_directory.Path));
    }

    [Fact]
    public async Task Open_DirectoryOfEarlierVersionWithoutJournal_KeepsEveryRecordAndAppendsAfterThem()
    {
        // Exactly what the previous version wrote: metadata, and CRC-framed records per partition (one with a
        // torn tail from a crash), but no commit journal.
        var old = Enumerable.Range(0, 20).Select(i => Record(KeyPerPartition[i % Partitions], $"old-{i}")).ToList();
        await File.WriteAllTextAsync(Path.Combine(_directory.Path, "eventlog.meta"), "tally-eventlog 1\npartitions=4\n", Token);
        foreach (var partition in old.GroupBy(r => Tally.EventLog.KeyPartitioner.ForKey(r.Key, Partitions)))
        {
            var frames = new ArrayBufferWriter<byte>();
            foreach (var record in partition)
            {
                RecordFrame.Encode(frames, record);
            }

            var directory = Directory.CreateDirectory(Path.Combine(_directory.Path, $"p{partition.Key:D4}")).FullName;
            var torn = partition.Key == 1 ? "{\"torn"u8.ToArray() : [];
            await File.WriteAllBytesAsync(Path.Combine(directory, "00000000000000000000.seg"), [.. frames.WrittenSpan, .. torn], Token);
        }

        Assert.Equal(Expected(old), await ReopenAndReadAsync(_directory.Path));
        var next = Group("next", perPartition: 1);
        await using (var log = FileEventLog.Open(_directory.Path, Partitions))
        {
            await log.AppendAsync(next, Token);
        }

        Assert.True(File.Exists(Path.Combine(_directory.Path, CommitJournal.FileName)));
        Assert.Equal(Expected([.. old, .. next]), await ReopenAndReadAsync(_directory.Path));
    }

    public void Dispose()
    {
        _directory.Dispose();
        _crashes.Dispose();
    }

    /// <summary><paramref name="perPartition"/> records in every partition, interleaved across partitions.</summary>
    private static List<LogRecord> Group(string name, int perPartition, int valueLength = 40) =>
        [.. Enumerable.Range(0, perPartition * Partitions)
            .Select(i => Record(KeyPerPartition[i % Partitions], $"{name}-{i}/".PadRight(valueLength, 'x')))];

    /// <summary>Throws ENOSPC at the <paramref name="n"/>th segment write; notes the partitions synced before.</summary>
    private static Action<WriteStep, int, long> FailNthSegmentWrite(int n, List<int> synced)
    {
        var writes = 0;
        return (step, partition, _) =>
        {
            if (step == WriteStep.SegmentSynced)
            {
                synced.Add(partition);
            }
            else if (step == WriteStep.SegmentWrite && ++writes == n)
            {
                throw new IOException("No space left on device", SimulatedDisk.NoSpace);
            }
        };
    }

    private static void CopyLogDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            // The lock file is held exclusively by the live log; a new process would create its own.
            if (Path.GetFileName(file) != ".lock")
            {
                var target = Path.Combine(to, Path.GetRelativePath(from, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
    }

    private List<(string File, long Length)> SegmentLengths() =>
        [.. SegmentFiles().Select(f => (f, new FileInfo(Path.Combine(_directory.Path, f)).Length))];

    private List<string> SegmentFiles() =>
        [.. Directory.EnumerateFiles(_directory.Path, "*.seg", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_directory.Path, f)).Order(StringComparer.Ordinal)];
}
