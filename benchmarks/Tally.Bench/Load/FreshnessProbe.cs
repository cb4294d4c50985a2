using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HdrHistogram;

namespace Tally.Bench.Load;

/// <summary>
/// Freshness, from acknowledgement to queryable: while a phase runs, sends one event at a time to a
/// tenant of its own and polls that tenant's COUNT meter every <see cref="PollInterval"/> until the
/// event counts. The figure is therefore exact to within one poll interval (plus one query's time).
/// </summary>
public sealed class FreshnessProbe(Uri baseUrl, string apiKey, TallyAdminClient admin)
{
    public const string EventType = "probe";
    public const string MeterSlug = "probes";
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(60);

    private readonly HttpClient _client = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
    private long _sent;

    /// <summary>Probe events acknowledged so far (what the probe tenant's meter must show in the end).</summary>
    public long Sent => _sent;

    /// <summary>(seconds since the run started, freshness in ms) of every probe, in order.</summary>
    public List<(double At, double Milliseconds)> Samples { get; } = [];

    /// <summary>Probes until <paramref name="stop"/> is cancelled; returns the phase's freshness in microseconds.</summary>
    public async Task<LongHistogram> RunAsync(long runStarted, CancellationToken stop)
    {
        var histogram = new LongHistogram(GiveUp.Ticks / 10, 3);
        while (!stop.IsCancellationRequested)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"p{_sent}");
            var body = string.Create(CultureInfo.InvariantCulture,
                $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"tally-bench","type":"{{{EventType}}}","subject":"probe","data":{}}""");
            using var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            using var response = await _client.SendAsync(request, CancellationToken.None);
            if (response.StatusCode != HttpStatusCode.NoContent)
            {
                throw new InvalidOperationException($"freshness probe {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
            }

            var acknowledged = Stopwatch.GetTimestamp();
            var expected = ++_sent;
            while (await admin.TotalAsync(apiKey, MeterSlug, CancellationToken.None) < expected && Stopwatch.GetElapsedTime(acknowledged) < GiveUp)
            {
                await Task.Delay(PollInterval, CancellationToken.None);
            }

            var freshness = Stopwatch.GetElapsedTime(acknowledged);
            histogram.RecordValue((long)freshness.TotalMicroseconds);
            Samples.Add((Stopwatch.GetElapsedTime(runStarted).TotalSeconds, freshness.TotalMilliseconds));
        }

        return histogram;
    }
}
