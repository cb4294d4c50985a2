using System.Text;
using Tally.Billing.EventLog;
using Tally.EventLog;
using Tally.EventLog.Embedded;

namespace Tally.Tests.EventLog;

/// <summary>What a log should hold, as (partition, position, key, value) rows, and reading it back exactly.</summary>
internal static class LogContent
{
    public const int Partitions = 4;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static LogRecord Record(string key, string value) => new(key, Encoding.UTF8.GetBytes(value));

    /// <summary>A key of each partition, in partition order.</summary>
    public static IReadOnlyList<string> KeyPerPartition { get; } = [.. Enumerable.Range(0, 1000)
        .Select(i => $"tenant-{i}:subject")
        .DistinctBy(k => KeyPartitioner.ForKey(k, Partitions))
        .OrderBy(k => KeyPartitioner.ForKey(k, Partitions))];

    /// <summary>The rows that appending <paramref name="records"/> to an empty log in this order must produce.</summary>
    public static List<(int Partition, long Position, string Key, string Value)> Expected(IEnumerable<LogRecord> records) =>
    [
        .. records
            .GroupBy(r => KeyPartitioner.ForKey(r.Key, Partitions))
            .SelectMany(g => g.Select((r, i) => (g.Key, (long)i, r.Key, Encoding.UTF8.GetString(r.Value.Span))))
            .OrderBy(r => r.Item1).ThenBy(r => r.Item2),
    ];

    public static List<(int Partition, long Position, string Key, string Value)> Rows(IEnumerable<StoredRecord> records) =>
        Sorted(records.Select(r => (r.Partition, r.Position, r.Key, Encoding.UTF8.GetString(r.Value.Span))));

    public static List<(int Partition, long Position, string Key, string Value)> Sorted(IEnumerable<(int Partition, long Position, string Key, string Value)> rows) =>
        [.. rows.OrderBy(r => r.Partition).ThenBy(r => r.Position)];

    /// <summary>Reads until nothing more arrives within a short wait, and returns the rows in partition order.</summary>
    public static async Task<List<(int Partition, long Position, string Key, string Value)>> ReadAllAsync(IEventLogConsumer consumer)
    {
        var records = new List<StoredRecord>();
        while (await consumer.ReadAsync(1000, TimeSpan.FromMilliseconds(200), Token) is { } batch)
        {
            records.AddRange(batch.Records);
        }

        return Rows(records);
    }

    /// <summary>Everything in the log in <paramref name="directory"/>, read by a fresh group after reopening it.</summary>
    public static async Task<List<(int Partition, long Position, string Key, string Value)>> ReopenAndReadAsync(string directory, long segmentBytes = 256L * 1024 * 1024)
    {
        await using var log = FileEventLog.Open(directory, Partitions, segmentBytes);
        await using var consumer = log.OpenConsumer("check-" + Guid.NewGuid().ToString("N"));
        return await ReadAllAsync(consumer);
    }
}
