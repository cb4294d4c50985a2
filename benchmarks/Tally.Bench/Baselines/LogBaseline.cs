using System.Diagnostics;
using Tally.Billing.EventLog;
using Tally.EventLog.Embedded;

namespace Tally.Bench.Baselines;

/// <summary>The event log alone: append rate, read rate and bytes per record of the same records.</summary>
public sealed record LogBaselineResult(double AppendPerSecond, double ReadPerSecond, double BytesPerRecord);

/// <summary>
/// The floor under ingest and the aggregator's read: the same normalized records, batch for batch,
/// appended with the same concurrency straight to a fresh embedded log (fsync'd group commit; no HTTP,
/// auth or parsing), then read back from position 0 by a fresh consumer group.
/// </summary>
public static class LogBaseline
{
    public static async Task<LogBaselineResult> RunAsync(IReadOnlyList<LogRecord[]> batches, int concurrency, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("tally-bench-log-").FullName;
        try
        {
            var total = batches.Sum(b => b.Length);
            // Four partitions: the embedded default (EventLog:Partitions).
            await using var log = FileEventLog.Open(directory, 4);
            var next = -1;
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < batches.Count; i = Interlocked.Increment(ref next))
                {
                    await log.AppendAsync(batches[i], cancellationToken);
                }
            }, cancellationToken)));
            var append = Stopwatch.GetElapsedTime(started);

            started = Stopwatch.GetTimestamp();
            await using (var consumer = log.OpenConsumer("bench-read"))
            {
                var seen = 0;
                while (seen < total)
                {
                    seen += (await consumer.ReadAsync(20_000, TimeSpan.FromSeconds(5), cancellationToken))?.Records.Count
                        ?? throw new InvalidOperationException($"the log returned {seen} of {total} records");
                }
            }

            var read = Stopwatch.GetElapsedTime(started);
            return new LogBaselineResult(total / append.TotalSeconds, total / read.TotalSeconds, (double)DirectoryBytes(directory) / total);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Bytes of every file under <paramref name="directory"/> (0 when it does not exist).</summary>
    public static long DirectoryBytes(string directory) =>
        Directory.Exists(directory) ? new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
}
