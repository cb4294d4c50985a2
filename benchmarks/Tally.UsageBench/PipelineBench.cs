using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tally.Aggregator;
using Tally.Billing.EventLog;
using Tally.Billing.Events;
using Tally.ClickHouse.Embedded;
using Tally.ClickHouse.Events;
using Tally.ClickHouse.Usage;
using Tally.EventIdentities;
using Tally.EventLog.Embedded;

namespace Tally.UsageBench;

/// <summary>
/// The aggregator (log read, dedup by identity, ClickHouse insert, index write, commit) over a
/// prefilled embedded log, against two baselines in the same run: reading the same records from the
/// log, and a bare INSERT of the same rows into the same ClickHouse. Also freshness at half the
/// aggregator's rate: from an append's acknowledgement to its events being stored (queries read stored events).
/// </summary>
internal sealed class PipelineBench(EmbeddedClickHouseProcess engine, string workDirectory, int events)
{
    private const string Tenant = "tnt_bench";
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public record Result(double ReadPerSecond, double InsertPerSecond, double AggregatePerSecond);

    /// <summary>The records of the run: events in batches of 1,000, 1% of them sent a second time later.</summary>
    public IReadOnlyList<LogRecord[]> Records()
    {
        var batches = new List<LogRecord[]>();
        for (var start = 0; start < events; start += 1000)
        {
            var batch = new List<LogRecord>(1010);
            for (var n = start; n < Math.Min(events, start + 1000); n++)
            {
                batch.Add(Record(n));
            }

            if (start > 0)
            {
                batch.AddRange(Enumerable.Range(0, 10).Select(i => Record((start - 1000) + (i * 97))));
            }

            batches.Add([.. batch]);
        }

        return batches;
    }

    public async Task<Result> RunOnceAsync(string name, IReadOnlyList<LogRecord[]> records)
    {
        var directory = Directory.CreateDirectory(Path.Combine(workDirectory, Guid.NewGuid().ToString("N"))).FullName;
        await using var log = FileEventLog.Open(Path.Combine(directory, "log"), partitions: 4);
        foreach (var batch in records)
        {
            await log.AppendAsync(batch, CancellationToken.None);
        }

        var total = records.Sum(r => r.Length);
        var read = await TimeAsync(async () =>
        {
            await using var consumer = log.OpenConsumer("read");
            var seen = 0;
            while (seen < total)
            {
                seen += (await consumer.ReadAsync(20_000, TimeSpan.FromSeconds(5), CancellationToken.None))?.Records.Count ?? 0;
            }
        });

        var rows = records.SelectMany(r => r).Select(ToStored).DistinctBy(e => e.IdentityDigest).ToList();
        using var bare = Bench.Database(engine, $"bare_{name}");
        await new UsageSchema(bare).EnsureCreatedAsync(CancellationToken.None);
        var insert = await TimeAsync(async () =>
        {
            var store = new EventStore(bare);
            foreach (var chunk in rows.Chunk(20_000))
            {
                await store.InsertAsync(chunk, CancellationToken.None);
            }
        });

        using var stored = Bench.Database(engine, $"agg_{name}");
        await new UsageSchema(stored).EnsureCreatedAsync(CancellationToken.None);
        await using var index = RocksDbEventIdentityIndex.Open(Path.Combine(directory, "identities"));
        var aggregate = await TimeAsync(() => AggregateAsync(log, stored, index, total, _ => { }));
        Directory.Delete(directory, recursive: true);
        return new Result(total / read.TotalSeconds, rows.Count / insert.TotalSeconds, total / aggregate.TotalSeconds);
    }

    /// <summary>Appends batches at <paramref name="perSecond"/> events/s while the aggregator runs; returns each batch's ack-to-stored delay in ms.</summary>
    public async Task<double[]> FreshnessAsync(string name, IReadOnlyList<LogRecord[]> records, double perSecond)
    {
        var directory = Directory.CreateDirectory(Path.Combine(workDirectory, Guid.NewGuid().ToString("N"))).FullName;
        await using var log = FileEventLog.Open(Path.Combine(directory, "log"), partitions: 4);
        using var stored = Bench.Database(engine, $"fresh_{name}");
        await new UsageSchema(stored).EnsureCreatedAsync(CancellationToken.None);
        await using var index = RocksDbEventIdentityIndex.Open(Path.Combine(directory, "identities"));
        var total = records.Sum(r => r.Length);
        var committed = new List<(long Count, long At)>();
        long count = 0;
        var aggregating = AggregateAsync(log, stored, index, total, records =>
        {
            lock (committed)
            {
                committed.Add((count += records, Stopwatch.GetTimestamp()));
            }
        });

        var acknowledged = new List<(long Count, long At)>();
        var started = Stopwatch.GetTimestamp();
        long sent = 0;
        foreach (var batch in records)
        {
            // Open loop: each batch goes at its scheduled time, however long the previous one took.
            var due = TimeSpan.FromSeconds(sent / perSecond) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            await log.AppendAsync(batch, CancellationToken.None);
            sent += batch.Length;
            acknowledged.Add((sent, Stopwatch.GetTimestamp()));
        }

        await aggregating;
        Directory.Delete(directory, recursive: true);
        return [.. acknowledged.Select(ack =>
        {
            var visible = committed.First(c => c.Count >= ack.Count).At;
            return Stopwatch.GetElapsedTime(ack.At, visible).TotalMilliseconds;
        }).Order()];
    }

    private async Task AggregateAsync(FileEventLog log, Tally.ClickHouse.DriverClickHouse clickHouse, IEventIdentityIndex index, long total, Action<long> onCommit)
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        var aggregator = new UsageAggregator(
            log,
            new UsageDeltaPublisher(null),
            new EventStore(clickHouse),
            index,
            new AggregatorMetrics(meters),
            TimeProvider.System,
            Options.Create(new AggregatorOptions { ConsumerGroup = "bench-" + Guid.NewGuid().ToString("N"), MaxWaitMilliseconds = 5 }),
            NullLogger<UsageAggregator>.Instance);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long committed = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == "tally.aggregator.records")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            onCommit(value);
            if (Interlocked.Add(ref committed, value) >= total)
            {
                done.TrySetResult();
            }
        });
        listener.Start();
        using var stop = new CancellationTokenSource();
        var running = aggregator.RunAsync(stop.Token);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(30));
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> work)
    {
        var started = Stopwatch.GetTimestamp();
        await work();
        return Stopwatch.GetElapsedTime(started);
    }

    private static StoredEvent ToStored(LogRecord record)
    {
        LoggedEventReader.TryRead(Tenant, record.Value.Span, out var read, out _);
        return read with { IdentityDigest = EventDigests.Identity(read.Identity), PayloadDigest = EventDigests.Payload(read) };
    }

    private static LogRecord Record(int n)
    {
        var identity = new EventIdentity(Tenant, "bench", $"ev-{n}");
        var time = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero).AddMilliseconds(n * 10L);
        return new LogRecord(
            EventKey.For(identity),
            Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $$$"""{"specversion":"1.0","id":"ev-{{{n}}}","source":"bench","type":"call","subject":"cust-{{{n % 10_000}}}","time":"{{{time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}}","tallyingested":"{{{time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}}","data":{"ms":{{{n % 1000}}},"model":"m{{{n % 7}}}","user":"u{{{n % 5003}}}"}}""")));
    }
}
