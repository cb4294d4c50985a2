using System.Globalization;
using System.Net;
using System.Text;
using Tally.Host.Hosting;

namespace Tally.EndToEnd;

/// <summary>
/// SIGKILLs <c>tally up</c> five times while clients post two million events (1% of them sent again
/// later, as clients retrying after a lost acknowledgement do), restarting it on the same
/// <c>--data-dir</c> each time; clients retry every request that was not acknowledged. Every meter,
/// of every aggregation, must then equal the exact value computed from the events the clients meant.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private const string AdminToken = "tadm_crash-test";
    private const int Events = 2_000_000;
    private const int PerBatch = 2_000;
    private const int Batches = Events / PerBatch;
    private const int Kills = 5;
    private const int Senders = 3;
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly KillableUp _up = new(new Dictionary<string, string> { ["TALLY_ADMIN_TOKEN"] = AdminToken });
    private TaskCompletionSource _serving = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Up_KilledFiveTimesDuringTwoMillionEventsWithResends_EveryAggregationIsExact()
    {
        using var api = new PipelineApi(_up.BaseUrl, _up.BaseUrl);
        await StartAsync();
        var key = await api.CreateTenantAsync(AdminToken, "Crashy");
        foreach (var (slug, aggregation, property) in Meters)
        {
            await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key,
                property is null ? new { slug, eventType = "call", aggregation } : new { slug, eventType = "call", aggregation, valueProperty = property });
        }

        var acknowledged = 0;
        var next = -1;
        async Task SendAsync()
        {
            int batch;
            while ((batch = Interlocked.Increment(ref next)) < Batches)
            {
                var body = Body(batch);
                while (true)
                {
                    await _serving.Task;
                    try
                    {
                        var (status, _) = await api.PostEventsAsync(key, "application/cloudevents-batch+json", body);
                        if (status == HttpStatusCode.NoContent)
                        {
                            Interlocked.Increment(ref acknowledged);
                            break;
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // The server died under the request: not acknowledged, so send it again.
                    }
                    catch (TaskCanceledException)
                    {
                    }
                }
            }
        }

        var senders = Enumerable.Range(0, Senders).Select(_ => Task.Run(SendAsync)).ToList();
        for (var kill = 1; kill <= Kills; kill++)
        {
            // Kill while requests are in flight, each time a sixth more of the run is acknowledged.
            await Eventually.EqualsAsync(true, () => Task.FromResult(Volatile.Read(ref acknowledged) >= Batches * kill / (Kills + 1)), TimeSpan.FromMinutes(5));
            _serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await _up.KillAndRestartAsync();
            _serving.TrySetResult();
        }

        await Task.WhenAll(senders);
        Assert.Equal(Batches, acknowledged);

        var expected = Expected();
        await Eventually.EqualsAsync(expected["calls"], () => api.MeterTotalAsync(key, "calls"), TimeSpan.FromMinutes(10));
        foreach (var (slug, _, _) in Meters)
        {
            Assert.True(expected[slug] == await api.MeterTotalAsync(key, slug), $"{slug}: expected {expected[slug]}, got {await api.MeterTotalAsync(key, slug)}");
        }
    }

    private static readonly (string Slug, string Aggregation, string? Property)[] Meters =
    [
        ("calls", "COUNT", null), ("ms", "SUM", "$.ms"), ("avg", "AVG", "$.ms"), ("min", "MIN", "$.ms"),
        ("max", "MAX", "$.ms"), ("users", "UNIQUE_COUNT", "$.user"), ("latest", "LATEST", "$.ms"),
    ];

    /// <summary>Event n: a distinct millisecond, a value and a user derived from n.</summary>
    private static string Event(int n) =>
        string.Create(CultureInfo.InvariantCulture, $$$"""{"specversion":"1.0","id":"ev-{{{n}}}","source":"crash","type":"call","subject":"cust-{{{n % 97}}}","time":"{{{Start.AddMilliseconds(n).UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}}","data":{"ms":{{{Ms(n)}}},"user":"u{{{n % 5003}}}"}}""");

    private static int Ms(int n) => (n * 7919 % 1000) + 3;

    /// <summary>Batch b: its own events, plus (from the second batch on) 1% of an earlier batch's events sent again unchanged.</summary>
    private static string Body(int batch)
    {
        var body = new StringBuilder(PerBatch * 190).Append('[');
        for (var i = 0; i < PerBatch; i++)
        {
            body.Append(i == 0 ? "" : ",").Append(Event((batch * PerBatch) + i));
        }

        if (batch > 0)
        {
            var earlier = (batch * 31) % batch;
            for (var i = 0; i < PerBatch / 100; i++)
            {
                body.Append(',').Append(Event((earlier * PerBatch) + (i * 97)));
            }
        }

        return body.Append(']').ToString();
    }

    private static Dictionary<string, decimal> Expected()
    {
        decimal sum = 0, min = decimal.MaxValue, max = decimal.MinValue;
        var users = new HashSet<int>();
        for (var n = 0; n < Events; n++)
        {
            var ms = Ms(n);
            sum += ms;
            min = Math.Min(min, ms);
            max = Math.Max(max, ms);
            users.Add(n % 5003);
        }

        return new Dictionary<string, decimal>
        {
            ["calls"] = Events,
            ["ms"] = sum,
            ["avg"] = Math.Round(sum / Events, 9, MidpointRounding.ToZero),
            ["min"] = min,
            ["max"] = max,
            ["users"] = users.Count,
            ["latest"] = Ms(Events - 1),
        };
    }

    private async Task StartAsync()
    {
        await _up.StartAsync();
        _serving.TrySetResult();
    }

    public ValueTask DisposeAsync() => _up.DisposeAsync();
}
