using System.Globalization;
using System.Text;

namespace Tally.EventLog.Embedded;

/// <summary>
/// The log's root directory: a process-exclusive lock file and a metadata file fixing the partition
/// count, since changing it would move keys to other partitions and break per-key order.
/// </summary>
internal sealed class LogDirectory : IDisposable
{
    private const string MetadataFile = "eventlog.meta";
    private const string MetadataHeader = "tally-eventlog 1";
    private readonly FileStream _lock;

    private LogDirectory(string path, FileStream lockFile)
    {
        Path = path;
        _lock = lockFile;
    }

    public string Path { get; }

    public static LogDirectory Open(string path, int partitions)
    {
        path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(path);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(System.IO.Path.Combine(path, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"The event log directory '{path}' is already open by another process or log instance.", ex);
        }

        try
        {
            EnsurePartitionCount(path, partitions);
            return new LogDirectory(path, lockFile);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>The partition count fixed in <paramref name="path"/>'s metadata, or null when it holds no log.</summary>
    public static int? StoredPartitionCount(string path)
    {
        var metaPath = System.IO.Path.Combine(System.IO.Path.GetFullPath(path), MetadataFile);
        return File.Exists(metaPath) ? ReadPartitionCount(metaPath) : null;
    }

    public string PartitionPath(int partition) => System.IO.Path.Combine(Path, $"p{partition:D4}");

    public string GroupsPath => System.IO.Path.Combine(Path, "groups");

    public void Dispose() => _lock.Dispose();

    private static void EnsurePartitionCount(string path, int partitions)
    {
        var metaPath = System.IO.Path.Combine(path, MetadataFile);
        if (File.Exists(metaPath))
        {
            var stored = ReadPartitionCount(metaPath);
            if (stored != partitions)
            {
                throw new InvalidOperationException(
                    $"The event log in '{path}' was created with {stored} partitions but EventLog:Partitions is {partitions}. " +
                    "The partition count is fixed at creation; set EventLog:Partitions to " + stored.ToString(CultureInfo.InvariantCulture) + ".");
            }

            return;
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"{MetadataHeader}\npartitions={partitions}\n");
        AtomicFile.Write(metaPath, Encoding.UTF8.GetBytes(text));
    }

    private static int ReadPartitionCount(string metaPath)
    {
        var lines = File.ReadAllLines(metaPath);
        if (lines.Length < 2 || lines[0] != MetadataHeader || !lines[1].StartsWith("partitions=", StringComparison.Ordinal)
            || !int.TryParse(lines[1].AsSpan("partitions=".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var stored))
        {
            throw new InvalidDataException($"The event log metadata file '{metaPath}' is not readable.");
        }

        return stored;
    }
}
