using System.Diagnostics;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Tally.Ingest.Grpc.V1;

namespace Tally.LoadHarness;

/// <summary>
/// The gRPC side of the harness: C concurrent client-streaming calls (<c>IngestStream</c>) over one HTTP/2
/// channel each, sending pre-built batches of the same shape as the HTTP run, then waiting until the COUNT
/// meter shows every event. Reports acknowledged events per second.
/// </summary>
public static class GrpcStreamLoad
{
    public static async Task<(double EventsPerSecond, string? Failure)> RunAsync(Uri grpcUrl, TallyAdminClient admin, HarnessOptions options, int events, CancellationToken cancellationToken)
    {
        var (_, apiKey) = await admin.CreateTenantAsync($"load-grpc-{Guid.NewGuid():N}", cancellationToken);
        await admin.CreateMeterAsync(apiKey, "prompts", "COUNT", null, cancellationToken);
        var time = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var batches = Enumerable.Range(0, (events + options.Batch - 1) / options.Batch).Select(b =>
        {
            var batch = new CloudEventBatch();
            for (var i = b * options.Batch; i < Math.Min(events, (b + 1) * options.Batch); i++)
            {
                batch.Events.Add(new CloudEvent
                {
                    Id = $"grpc-{i:D9}",
                    Source = "load-harness",
                    SpecVersion = "1.0",
                    Type = "prompt",
                    Attributes = { ["subject"] = new CloudEventAttributeValue { CeString = $"customer-{i % options.Subjects}" }, ["time"] = new CloudEventAttributeValue { CeString = time } },
                    TextData = JsonSerializer.Serialize(new { tokens = i % 100, model = "small" }),
                });
            }

            return batch;
        }).ToArray();

        var headers = new Metadata { { "authorization", $"Bearer {apiKey}" } };
        var next = -1;
        long accepted = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(
            async () =>
            {
                using var channel = GrpcChannel.ForAddress(grpcUrl);
                var client = new IngestService.IngestServiceClient(channel);
                using var call = client.IngestStream(headers, cancellationToken: cancellationToken);
                for (var i = Interlocked.Increment(ref next); i < batches.Length; i = Interlocked.Increment(ref next))
                {
                    await call.RequestStream.WriteAsync(batches[i], cancellationToken);
                }

                await call.RequestStream.CompleteAsync();
                Interlocked.Add(ref accepted, (await call).Accepted);
            },
            cancellationToken)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var aggregation = await AggregationProbe.WaitForCountAsync(admin, apiKey, "prompts", events, started, options.EndToEndTimeout, cancellationToken);
        var failure = accepted != events ? $"gRPC acknowledged {accepted} of {events}"
            : aggregation.SinceFirstSend is null ? $"COUNT meter shows {aggregation.FinalCount} of {events}" : null;
        return (events / elapsed.TotalSeconds, failure);
    }

    /// <summary>This process's peak resident set (VmHWM): the gateway and the load generator together.</summary>
    public static long PeakRssBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return -1;
    }
}
