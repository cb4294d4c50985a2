using Tally.Bench.Generation;
using Tally.Bench.Load;
using Tally.Bench.Report;
using Tally.Billing.EventLog;
using Tally.Billing.Events;

namespace Tally.Bench.Baselines;

/// <summary>The baselines' figures, over the first <see cref="Events"/> events of the run.</summary>
public sealed record BaselineResults(long Events, double JsonScanPerSecond, LogBaselineResult Log, InsertBaselineResult? Insert)
{
    /// <summary>The same records through Kafka, when the stages ran over Kafka (the gateway's buffer is still an embedded log).</summary>
    public LogBaselineResult? KafkaLog { get; init; }
}

/// <summary>
/// Replays the run's first events (the same bytes: the generator is deterministic) through the bare
/// floors each stage stands on, and pairs each stage with its floors.
/// </summary>
public static class SameRunBaselines
{
    public static async Task<BaselineResults> RunAsync(
        BenchOptions options, IReadOnlyList<string> tenantIds, DateTimeOffset runStart, string? clickHouse, string? kafka, long batchesSent, CancellationToken cancellationToken)
    {
        var generator = new EventGenerator(options.Profile, options.Seed, runStart);
        var batches = new List<GeneratedBatch>();
        long events = 0;
        while (generator.Batches < Math.Max(1, batchesSent) && events < options.BaselineEvents)
        {
            var batch = generator.Next();
            batches.Add(batch);
            events += batch.Events.Length;
        }

        var bodies = batches.Select(HttpBatchSender.Body).ToList();
        var now = DateTimeOffset.UtcNow;
        var records = batches.Zip(bodies, (batch, body) => Normalize(tenantIds[batch.Tenant], body, now)).ToList();
        var scan = JsonScanBaseline.Run(bodies, events);
        var log = await LogBaseline.RunAsync(records, options.Profile.Senders, null, cancellationToken);
        var kafkaLog = kafka is null ? null : await LogBaseline.RunAsync(records, options.Profile.Senders, kafka, cancellationToken);
        var insert = clickHouse is null ? null : await BareInsertBaseline.RunAsync(clickHouse, records, cancellationToken);
        return new BaselineResults(events, scan, log, insert) { KafkaLog = kafkaLog };
    }

    /// <summary>Each stage against the floors under it.</summary>
    public static IReadOnlyList<StageReport> Stages(PhaseReport measured, BaselineResults baselines)
    {
        const string Ingest = "ingest: HTTP + gRPC, acknowledged";
        const string Aggregator = "aggregator: log → ClickHouse, end to end";
        var stages = new List<StageReport>
        {
            new(Ingest, measured.AcknowledgedPerSecond, $"bare append of the same records to {baselines.Log.Log}", baselines.Log.AppendPerSecond),
            new(Ingest, measured.AcknowledgedPerSecond, "bare JSON scan of the same bodies (1 thread)", baselines.JsonScanPerSecond),
        };
        if (baselines.KafkaLog is { } kafka)
        {
            stages.Add(new(Ingest, measured.AcknowledgedPerSecond, $"bare append of the same records to {kafka.Log}", kafka.AppendPerSecond));
        }

        if (measured.EndToEndPerSecond is { } endToEnd)
        {
            var read = baselines.KafkaLog ?? baselines.Log;
            stages.Add(new(Aggregator, endToEnd, $"bare read of the same records from {read.Log}", read.ReadPerSecond));
            if (baselines.Insert is { } insert)
            {
                stages.Add(new(Aggregator, endToEnd, "bare INSERT of the same rows, same ClickHouse", insert.RowsPerSecond));
            }
        }

        return stages;
    }

    /// <summary>The records ingest appends for a body: parsed and normalized by the same parser, keyed the same way.</summary>
    private static LogRecord[] Normalize(string tenantId, byte[] body, DateTimeOffset now)
    {
        var parsed = CloudEventParser.Parse(body, expectBatch: true, now);
        if (!parsed.IsValid)
        {
            throw new InvalidOperationException($"A generated batch is invalid: {parsed.Errors[0]}");
        }

        return [.. parsed.Events.Select(e => new LogRecord(EventKey.For(new EventIdentity(tenantId, e.Source, e.Id)), e.Json))];
    }
}
