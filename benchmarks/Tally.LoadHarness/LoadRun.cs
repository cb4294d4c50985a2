using System.Diagnostics;
using System.Globalization;

namespace Tally.LoadHarness;

/// <summary>One run's numbers; <see cref="Failure"/> is set when Tally answered errors or counted wrong.</summary>
public sealed record RunResult(
    string Name,
    long Events,
    double IngestEventsPerSecond,
    double P50Ms,
    double P99Ms,
    double? EndToEndEventsPerSecond,
    decimal CountAtIngestEnd,
    double AppendEventsPerSecond,
    string? Failure)
{
    public double Ratio => IngestEventsPerSecond / AppendEventsPerSecond;
}

/// <summary>
/// One run against the shared in-process server, in a tenant of its own: set up meters, ingest over
/// HTTP, wait until the COUNT meter shows every event, check the totals, then the bare log baseline.
/// </summary>
public sealed class LoadRun(Uri baseUrl, TallyAdminClient admin, HarnessOptions options)
{
    public async Task<RunResult> ExecuteAsync(string name, int events, CancellationToken cancellationToken)
    {
        var (tenantId, apiKey) = await admin.CreateTenantAsync($"load-{name}-{Guid.NewGuid():N}", cancellationToken);
        await admin.CreateMeterAsync(apiKey, "tokens", "SUM", "$.tokens", cancellationToken);
        await admin.CreateMeterAsync(apiKey, "prompts", "COUNT", null, cancellationToken);

        var now = DateTimeOffset.UtcNow;
        var hourStart = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-1);
        var data = LoadData.Create(name, events, options.Batch, options.Subjects, hourStart);
        var normalized = data.NormalizedRecords(tenantId, now);

        var firstSend = Stopwatch.GetTimestamp();
        var ingest = await IngestLoad.RunAsync(baseUrl, apiKey, data.Bodies, options.Concurrency, cancellationToken);
        var aggregation = await AggregationProbe.WaitForCountAsync(
            admin, apiKey, "prompts", data.Events, firstSend, options.EndToEndTimeout, cancellationToken);

        var failures = new List<string>();
        if (ingest.Failures > 0)
        {
            failures.Add($"{ingest.Failures} of {data.Bodies.Count} requests not acknowledged; first: {ingest.FirstFailure}");
        }

        if (aggregation.SinceFirstSend is null)
        {
            failures.Add(Invariant($"COUNT meter shows {aggregation.FinalCount}, sent {data.Events} (after {aggregation.Polls} polls)"));
        }
        else
        {
            // A second look later catches events counted twice after the total first matched.
            var tokens = await admin.TotalAsync(apiKey, "tokens", cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            var count = await admin.TotalAsync(apiKey, "prompts", cancellationToken);
            if (tokens != data.Tokens || count != data.Events)
            {
                failures.Add(Invariant($"totals differ: SUM {tokens} (sent {data.Tokens}), COUNT {count} (sent {data.Events})"));
            }
        }

        var append = await LogAppendBaseline.RunAsync(normalized, options.Concurrency, cancellationToken);
        var sorted = ingest.LatenciesMs.Order().ToArray();
        return new RunResult(
            name,
            data.Events,
            data.Events / ingest.Elapsed.TotalSeconds,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.99),
            data.Events / aggregation.SinceFirstSend?.TotalSeconds,
            aggregation.CountAtIngestEnd,
            data.Events / append.TotalSeconds,
            failures.Count == 0 ? null : string.Join("; ", failures));
    }

    /// <summary>Nearest-rank percentile of an ascending array.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
