using System.Diagnostics;
using Tally.Billing.EventLog;
using Tally.EventLog;
using Tally.EventLog.Embedded;
using Tally.EventLog.Kafka;

namespace Tally.Bench.Baselines;

/// <summary>The event log alone: which log, append rate, read rate and bytes per record of the same records.</summary>
public sealed record LogBaselineResult(string Log, double AppendPerSecond, double ReadPerSecond, double BytesPerRecord);

/// <summary>
/// The floor under ingest and the aggregator's read: the same normalized records, batch for batch,
/// appended with the same concurrency straight to the log the stages used (no HTTP, auth or parsing),
/// then read back from the start by a fresh consumer group, committing each batch. The embedded log is a fresh directory
/// (fsync'd group commit); Kafka is a fresh topic on the same cluster through Tally's Kafka adapter
/// (Confluent.Kafka, idempotent producer, <c>acks=all</c>), where bytes per record are the records' keys
/// and values (the broker's own overhead is not visible from here).
/// </summary>
public static class LogBaseline
{
    public static async Task<LogBaselineResult> RunAsync(IReadOnlyList<LogRecord[]> batches, int concurrency, string? kafkaBootstrapServers, CancellationToken cancellationToken)
    {
        if (kafkaBootstrapServers is not null)
        {
            var options = new KafkaOptions { BootstrapServers = kafkaBootstrapServers, Topic = $"tally-bench-baseline-{Guid.NewGuid():N}" };
            await using var kafka = new KafkaEventLog(options);
            // The mock keeps 5 MB per partition and drops older records: append and read in chunks that fit.
            var (append, read) = await MeasureInChunksAsync(kafka, batches, concurrency, KafkaMockChunk, cancellationToken);
            var bytes = batches.Sum(b => b.Sum(r => (long)r.Key.Length + r.Value.Length));
            return new LogBaselineResult("Kafka (librdkafka's mock cluster)", append, read, (double)bytes / batches.Sum(b => b.Length));
        }

        var directory = Directory.CreateTempSubdirectory("tally-bench-log-").FullName;
        try
        {
            // Four partitions: the embedded default (EventLog:Partitions).
            await using var log = FileEventLog.Open(directory, 4);
            var (append, read) = await MeasureInChunksAsync(log, batches, concurrency, int.MaxValue, cancellationToken);
            return new LogBaselineResult("the embedded log", append, read, (double)DirectoryBytes(directory) / batches.Sum(b => b.Length));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Records per append-then-read round on Kafka's mock cluster (its 4 partitions keep ~60,000 of these records).</summary>
    private const int KafkaMockChunk = 30_000;

    /// <summary>
    /// Appends the batches with <paramref name="concurrency"/> writers and reads them back with one consumer
    /// (committing each batch, as the aggregator does), in rounds of at most <paramref name="chunk"/> records;
    /// the append and read times are summed over the rounds.
    /// </summary>
    private static async Task<(double Append, double Read)> MeasureInChunksAsync(
        IEventLog log, IReadOnlyList<LogRecord[]> batches, int concurrency, int chunk, CancellationToken cancellationToken)
    {
        var total = batches.Sum(b => b.Length);
        TimeSpan appending = TimeSpan.Zero, reading = TimeSpan.Zero;
        await using var consumer = log.OpenConsumer("bench-read");
        for (var first = 0; first < batches.Count;)
        {
            var round = new List<LogRecord[]>();
            for (var records = 0; first < batches.Count && (round.Count == 0 || records + batches[first].Length <= chunk); first++)
            {
                round.Add(batches[first]);
                records += batches[first].Length;
            }

            var next = -1;
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < round.Count; i = Interlocked.Increment(ref next))
                {
                    await log.AppendAsync(round[i], cancellationToken);
                }
            }, cancellationToken)));
            appending += Stopwatch.GetElapsedTime(started);

            started = Stopwatch.GetTimestamp();
            await ReadAsync(consumer, round.Sum(b => b.Length), cancellationToken);
            reading += Stopwatch.GetElapsedTime(started);
        }

        return (total / appending.TotalSeconds, total / reading.TotalSeconds);
    }

    private static async Task ReadAsync(IEventLogConsumer consumer, int count, CancellationToken cancellationToken)
    {
        // An empty read is a wait that found nothing yet (Kafka's consumer first joins its group and
        // fetches per partition); only a long silence means records are missing.
        var seen = 0;
        var lastProgress = Stopwatch.GetTimestamp();
        while (seen < count)
        {
            var batch = await consumer.ReadAsync(20_000, TimeSpan.FromSeconds(1), cancellationToken);
            if (batch is not null)
            {
                // Committed as the aggregator commits.
                await consumer.CommitAsync(batch.Partition, batch.NextPosition, cancellationToken);
                seen += batch.Records.Count;
                lastProgress = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"the log returned {seen} of {count} records");
            }
        }
    }

    /// <summary>Bytes of every file under <paramref name="directory"/> (0 when it does not exist).</summary>
    public static long DirectoryBytes(string directory) =>
        Directory.Exists(directory) ? new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
}
