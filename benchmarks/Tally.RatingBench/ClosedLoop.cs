using System.Diagnostics;
using System.Net;
using HdrHistogram;

namespace Tally.RatingBench;

/// <summary>One closed-loop run's figures: requests per second and latency percentiles in microseconds.</summary>
public sealed record LoopResult(string Target, long Requests, double Seconds, long Errors, long P50, long P99, long P999, long Max, string Load)
{
    public double Throughput => Requests / Seconds;
}

/// <summary>
/// A closed-loop load generator: C connections, each sending its next request as soon as the previous
/// answer is read, for a warm-up and then a measured interval; latencies recorded per connection in
/// HdrHistogram (microseconds, 3 significant digits) and merged. Any status other than 200 is an error.
/// </summary>
public static class ClosedLoop
{
    /// <summary>The runtime's switch that runs socket completions on the socket engine's threads (no thread-pool hop).</summary>
    public const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static async Task<LoopResult> RunAsync(string target, IPEndPoint endPoint, IReadOnlyList<byte[]> requests, int connections, TimeSpan warmup, TimeSpan measured, CancellationToken cancellationToken)
    {
        var histograms = Enumerable.Range(0, connections).Select(_ => new LongHistogram(60_000_000, 3)).ToArray();
        var errors = new long[connections];
        var measuring = 0;
        var stopping = 0;
        var workers = Enumerable.Range(0, connections).Select(c => Task.Run(async () =>
        {
            using var connection = await RawHttpConnection.OpenAsync(endPoint, cancellationToken);
            for (var i = c; Volatile.Read(ref stopping) == 0; i += connections)
            {
                var sent = Stopwatch.GetTimestamp();
                var (status, _) = await connection.RoundTripAsync(requests[i % requests.Count], cancellationToken);
                var micros = (Stopwatch.GetTimestamp() - sent) * 1_000_000 / Stopwatch.Frequency;
                if (Volatile.Read(ref measuring) == 1)
                {
                    histograms[c].RecordValue(Math.Min(micros, 60_000_000));
                    errors[c] += status == 200 ? 0 : 1;
                }
            }
        }, cancellationToken)).ToArray();

        await Task.Delay(warmup, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        Volatile.Write(ref measuring, 1);
        await Task.Delay(measured, cancellationToken);
        Volatile.Write(ref measuring, 0);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var load = MachineLoad.Now();
        Volatile.Write(ref stopping, 1);
        await Task.WhenAll(workers);

        var all = new LongHistogram(60_000_000, 3);
        foreach (var histogram in histograms)
        {
            all.Add(histogram);
        }

        return new LoopResult(target, all.TotalCount, seconds, errors.Sum(), all.GetValueAtPercentile(50), all.GetValueAtPercentile(99), all.GetValueAtPercentile(99.9), all.GetMaxValue(), load);
    }
}
