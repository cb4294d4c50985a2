using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Tally.LoadHarness;

/// <summary>What the senders saw: wall time from the first send to the last answer, and every request's latency.</summary>
public sealed record IngestResult(TimeSpan Elapsed, double[] LatenciesMs, int Failures, string? FirstFailure);

/// <summary>
/// C concurrent senders, each its own HttpClient over one keep-alive SocketsHttpHandler connection,
/// pulling the next pre-built batch from a shared counter until all are sent.
/// </summary>
public static class IngestLoad
{
    private static readonly MediaTypeHeaderValue BatchType = new("application/cloudevents-batch+json");

    public static async Task<IngestResult> RunAsync(Uri baseUrl, string apiKey, IReadOnlyList<byte[]> bodies, int concurrency, CancellationToken cancellationToken)
    {
        var latencies = new double[bodies.Count];
        var next = -1;
        var failures = 0;
        string? firstFailure = null;
        var clients = Enumerable.Range(0, concurrency).Select(_ => NewClient(baseUrl, apiKey)).ToArray();
        try
        {
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(clients.Select(client => Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < bodies.Count; i = Interlocked.Increment(ref next))
                {
                    var sent = Stopwatch.GetTimestamp();
                    using var content = new ByteArrayContent(bodies[i]);
                    content.Headers.ContentType = BatchType;
                    using var response = await client.PostAsync("/api/v1/events", content, cancellationToken);
                    var body = await response.Content.ReadAsStringAsync(cancellationToken);
                    latencies[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                    if (response.StatusCode != HttpStatusCode.NoContent)
                    {
                        // Not retried: a retry of a partly stored batch would be counted twice, hiding the failure.
                        Interlocked.Increment(ref failures);
                        Interlocked.CompareExchange(ref firstFailure, $"batch {i}: {(int)response.StatusCode} {body}", null);
                    }
                }
            }, cancellationToken)));
            return new IngestResult(Stopwatch.GetElapsedTime(started), latencies, failures, firstFailure);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static HttpClient NewClient(Uri baseUrl, string apiKey)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        var client = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }
}
