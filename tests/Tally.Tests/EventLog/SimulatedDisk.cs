using Tally.EventLog.Embedded;

namespace Tally.Tests.EventLog;

/// <summary>
/// A disk of <see cref="CapacityBytes"/> for a log directory, enforced through the log's write seam: a write
/// that would take the directory's files past the capacity throws what Linux gives for a full disk (an
/// IOException whose HResult is ENOSPC, 28). The files' real lengths count, so rollbacks free space as they
/// would on a real disk.
/// </summary>
internal sealed class SimulatedDisk(string directory, long capacityBytes)
{
    public const int NoSpace = 28;

    public long CapacityBytes { get; set; } = capacityBytes;

    public void Attach(FileEventLog log) => log.Steps.Hook = (_, _, bytes) =>
    {
        var used = new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        if (bytes > 0 && used + bytes > CapacityBytes)
        {
            throw new IOException($"No space left on device : '{directory}'", NoSpace);
        }
    };
}
