using System.Diagnostics;
using System.Threading.Channels;
using HdrHistogram;
using Tally.Bench.Generation;

namespace Tally.Bench.Load;

/// <summary>What one phase sent and how Tally answered.</summary>
public sealed record PhaseOutcome(
    string Mode,
    long? TargetEventsPerSecond,
    TimeSpan Elapsed,
    long Batches,
    long Events,
    IReadOnlyDictionary<string, long> EventsByProtocol,
    IReadOnlyDictionary<string, long> BytesByProtocol,
    LongHistogram AckLatencyMicroseconds,
    string? Failure);

/// <summary>
/// One phase of load: closed loop (every sender sends its next batch as soon as the previous one is
/// acknowledged: the maximum) or open loop (batches go at the <see cref="OpenLoopSchedule"/>'s intended
/// times, whatever the answers, and latency counts from the intended time). HTTP and gRPC senders
/// share the batches. Counts acknowledged events into <see cref="Acknowledged"/> as they are answered.
/// </summary>
public sealed class LoadPhase(BatchSource source, IReadOnlyList<IBatchSender> senders, IReadOnlyList<string> apiKeys)
{
    private long _acknowledged;

    /// <summary>Events acknowledged so far, over every phase.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public Task<PhaseOutcome> ClosedLoopAsync(TimeSpan duration, CancellationToken cancellationToken) =>
        RunAsync("closed loop", null, duration, async (tally, sender, started, stop) =>
        {
            while (!stop.IsCancellationRequested && Stopwatch.GetElapsedTime(started) < duration)
            {
                var batch = source.Next();
                await tally(sender, batch, Stopwatch.GetTimestamp());
            }
        }, null, cancellationToken);

    public Task<PhaseOutcome> OpenLoopAsync(long eventsPerSecond, TimeSpan duration, CancellationToken cancellationToken)
    {
        var schedule = new OpenLoopSchedule(eventsPerSecond, source.Profile.BatchSize);
        var due = Channel.CreateUnbounded<(GeneratedBatch Batch, long Intended)>(new UnboundedChannelOptions { SingleWriter = true });
        return RunAsync("open loop", eventsPerSecond, duration, async (tally, sender, _, _) =>
        {
            // Senders never stop early: every dispatched batch is sent, so the batches sent stay a prefix.
            await foreach (var (batch, intended) in due.Reader.ReadAllAsync(CancellationToken.None))
            {
                await tally(sender, batch, intended);
            }
        }, async (started, stop) =>
        {
            try
            {
                long next = 0;
                while (!stop.IsCancellationRequested && schedule.IntendedStart(next) < duration)
                {
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    for (var dueNow = schedule.DueBy(elapsed); next < dueNow && schedule.IntendedStart(next) < duration; next++)
                    {
                        var intended = started + (long)(schedule.IntendedStart(next).Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));
                        due.Writer.TryWrite((source.Next(), intended));
                    }

                    var wait = schedule.IntendedStart(next) - Stopwatch.GetElapsedTime(started);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, stop);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                due.Writer.TryComplete();
            }
        }, cancellationToken);
    }

    private async Task<PhaseOutcome> RunAsync(
        string mode,
        long? rate,
        TimeSpan duration,
        Func<Func<IBatchSender, GeneratedBatch, long, Task>, IBatchSender, long, CancellationToken, Task> sendLoop,
        Func<long, CancellationToken, Task>? dispatcher,
        CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var histograms = senders.Select(_ => new LongHistogram(TimeSpan.FromMinutes(10).Ticks / 10, 3)).ToArray();
        var events = new Dictionary<string, long>();
        var bytes = new Dictionary<string, long>();
        var gate = new Lock();
        long batches = 0, sent = 0;
        string? failure = null;
        var started = Stopwatch.GetTimestamp();
        long lastAnswer = started;

        async Task Tally(int senderIndex, IBatchSender sender, GeneratedBatch batch, long intended)
        {
            try
            {
                var wire = await sender.SendAsync(batch, apiKeys[batch.Tenant], CancellationToken.None);
                var answered = Stopwatch.GetTimestamp();
                histograms[senderIndex].RecordValue(Math.Max(0, (long)Stopwatch.GetElapsedTime(intended, answered).TotalMicroseconds));
                Interlocked.Add(ref _acknowledged, batch.Events.Length);
                lock (gate)
                {
                    batches++;
                    sent += batch.Events.Length;
                    events[sender.Protocol] = events.GetValueOrDefault(sender.Protocol) + batch.Events.Length;
                    bytes[sender.Protocol] = bytes.GetValueOrDefault(sender.Protocol) + wire;
                    lastAnswer = Math.Max(lastAnswer, answered);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                lock (gate)
                {
                    failure ??= ex.Message;
                }

                await failed.CancelAsync();
            }
        }

        var loops = senders.Select((sender, i) => Task.Run(
            () => sendLoop((s, b, t) => Tally(i, s, b, t), sender, started, failed.Token), CancellationToken.None)).ToList();
        if (dispatcher is not null)
        {
            loops.Add(Task.Run(() => dispatcher(started, failed.Token), CancellationToken.None));
        }

        await Task.WhenAll(loops);
        var latency = histograms[0];
        foreach (var other in histograms.Skip(1))
        {
            latency.Add(other);
        }

        return new PhaseOutcome(mode, rate, Stopwatch.GetElapsedTime(started, lastAnswer), batches, sent, events, bytes, latency, failure);
    }
}
