using Tally.Billing;
using Tally.Billing.EventLog;
using Tally.EventLog.Embedded;
using Tally.Tests.Support;
using static Tally.Tests.EventLog.LogContent;

namespace Tally.Tests.EventLog;

/// <summary>A full disk refuses whole groups, reports not ready, and heals without a restart once space returns.</summary>
public sealed class FileEventLogDiskFullTests
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AppendAsync_TmpfsFills_RefusesTheWholeGroupAndHealsOnceRemountedLarger()
    {
        using var tmpfs = Tmpfs.TryMount(kilobytes: 96, out var reason);
        if (tmpfs is null)
        {
            // The same properties against a disk the log's write seam enforces run in the next test.
            Assert.Skip(reason);
        }

        await FillRefuseAndHealAsync(Path.Combine(tmpfs.Path, "log"), _ => { }, () => tmpfs.Resize(kilobytes: 1024));
    }

    [Fact]
    public async Task AppendAsync_InjectedDiskFull_RefusesTheWholeGroupAndHealsOnceSpaceReturns()
    {
        using var directory = new TempDirectory();
        var disk = new SimulatedDisk(directory.Path, capacityBytes: 96 * 1024);

        await FillRefuseAndHealAsync(directory.Path, disk.Attach, () => disk.CapacityBytes = 1024 * 1024);
    }

    [Fact]
    public async Task AppendAsync_OtherWriteFailure_ThrowsIOExceptionAndHealsWithTheNextAppend()
    {
        using var directory = new TempDirectory();
        await using var log = FileEventLog.Open(directory.Path, Partitions);
        await log.AppendAsync([Record(KeyPerPartition[0], "before")], Token);
        var failing = true;
        log.Steps.Hook = (step, _, _) =>
        {
            if (failing && step == WriteStep.SegmentWrite)
            {
                throw new IOException("Input/output error", 5);
            }
        };

        var error = await Assert.ThrowsAsync<IOException>(async () => await log.AppendAsync([Record(KeyPerPartition[1], "refused")], Token));
        Assert.Contains("nothing of this append was stored", error.Message, StringComparison.Ordinal);
        Assert.False(log.Health.Ready);

        failing = false;
        await log.AppendAsync([Record(KeyPerPartition[1], "after")], Token);

        Assert.True(log.Health.Ready);
        Assert.Equal(Expected([Record(KeyPerPartition[0], "before"), Record(KeyPerPartition[1], "after")]), await DisposeAndReopenAsync(log, directory.Path));
    }

    [Fact]
    public async Task Health_UnreadyAndNoAppendsArrive_ReadyOnceAProbeFindsSpaceAgain()
    {
        using var directory = new TempDirectory();
        await using var log = FileEventLog.Open(directory.Path, Partitions);
        var disk = new SimulatedDisk(directory.Path, capacityBytes: 64 * 1024);
        disk.Attach(log);
        await Assert.ThrowsAsync<StorageFullException>(async () =>
            await log.AppendAsync([Record(KeyPerPartition[0], new string('x', 100 * 1024))], Token));

        // Each unready answer starts a probe; wait for it before changing the disk, so none straddles the change.
        Assert.False(log.Health.Ready);
        await log.ProbeAsync().WaitAsync(ProbeTimeout, Token);
        Assert.False(log.Health.Ready);
        await log.ProbeAsync().WaitAsync(ProbeTimeout, Token);

        disk.CapacityBytes = 1024 * 1024;
        await log.ProbeAsync().WaitAsync(ProbeTimeout, Token);

        Assert.True(log.Health.Ready);
    }

    /// <summary>
    /// Appends requests of 8 records (2 per partition) until the disk refuses one, checks that exactly the
    /// acknowledged records are readable, grows the disk, and checks that the next append lands right after
    /// them, before and after reopening.
    /// </summary>
    private static async Task FillRefuseAndHealAsync(string directory, Action<FileEventLog> attachDisk, Action growDisk)
    {
        var acknowledged = new List<LogRecord>();
        var log = FileEventLog.Open(directory, Partitions);
        try
        {
            attachDisk(log);
            await using var consumer = log.OpenConsumer("aggregator");
            StorageFullException? full = null;
            var n = 0;
            for (; full is null; n++)
            {
                Assert.True(n < 1000, "The disk never filled.");
                var request = Request(n);
                try
                {
                    await log.AppendAsync(request, Token);
                    acknowledged.AddRange(request);
                }
                catch (StorageFullException ex)
                {
                    full = ex;
                }
            }

            Assert.True(acknowledged.Count > 0, "The first append already failed; the disk is too small to test anything.");
            Assert.Equal("event log", full.Store);
            Assert.False(log.Health.Ready);
            var beforeGrowth = await ReadAllAsync(consumer);
            Assert.Equal(Expected(acknowledged), beforeGrowth);
            Assert.DoesNotContain(beforeGrowth, r => r.Value.StartsWith(Prefix(n - 1), StringComparison.Ordinal));

            growDisk();
            var next = Request(n);
            await log.AppendAsync(next, Token);

            Assert.True(log.Health.Ready);
            acknowledged.AddRange(next);
            Assert.Equal(Expected(acknowledged), Sorted([.. beforeGrowth, .. await ReadAllAsync(consumer)]));
        }
        finally
        {
            await log.DisposeAsync();
        }

        Assert.Equal(Expected(acknowledged), await ReopenAndReadAsync(directory));
    }

    private static List<LogRecord> Request(int n) =>
        [.. Enumerable.Range(0, 8).Select(i => Record(KeyPerPartition[i % Partitions], $"{Prefix(n)}{i}/".PadRight(600, 'x')))];

    private static string Prefix(int request) => $"request-{request:D4}/";

    private static async Task<List<(int Partition, long Position, string Key, string Value)>> DisposeAndReopenAsync(FileEventLog log, string directory)
    {
        await log.DisposeAsync();
        return await LogContent.ReopenAndReadAsync(directory);
    }
}
