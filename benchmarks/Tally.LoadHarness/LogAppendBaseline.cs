using System.Diagnostics;
using Tally.Billing.EventLog;
using Tally.EventLog.Embedded;

namespace Tally.LoadHarness;

/// <summary>
/// The floor under HTTP ingest: the same normalized records, batch for batch, appended with the same
/// concurrency straight to a fresh embedded log (fsync'd group commit), with no HTTP, auth or parsing.
/// </summary>
public static class LogAppendBaseline
{
    public static async Task<TimeSpan> RunAsync(IReadOnlyList<LogRecord[]> batches, int concurrency, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("tally-load-baseline-").FullName;
        try
        {
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
            return Stopwatch.GetElapsedTime(started);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
