using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Tally.RatingBench;

/// <summary>
/// <c>checks</c>: entitlement checks over HTTP against a running <c>tally up</c>, from this process. Sets
/// up a tenant (the bills catalog: every fifth customer has a metered entitlement with a grant), sends
/// usage for them and waits until their values show it exactly, then runs the closed loop against
/// <c>GET /api/v2/customers/{key}/entitlements/tokens/value</c> (a different entitled customer each
/// request) and against the bare baseline in its own process, alternately, for each round.
/// </summary>
public static class ChecksScenario
{
    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var url = new Uri(args.Text("url") ?? "http://127.0.0.1:8080");
        var adminToken = args.Text("admin-token") ?? Environment.GetEnvironmentVariable("TALLY_ADMIN_TOKEN")
            ?? (await File.ReadAllTextAsync(Path.Combine(args.Text("data-dir") ?? ".tally/data", "admin-token"), cancellationToken)).Trim();
        var count = args.Int("customers", 5_000);
        var connections = args.Int("connections", 32);
        var warmup = TimeSpan.FromSeconds(args.Double("warmup", 5));
        var measured = TimeSpan.FromSeconds(args.Double("seconds", 20));
        var rounds = args.Int("rounds", 3);
        var quiet = args.Double("quiet-load", 1.5);
        var quietWait = TimeSpan.FromMinutes(args.Double("quiet-wait-minutes", 15));
        args.EnsureAllRead();

        using var api = new TallyApi(url);
        var (_, apiKey) = await api.CreateTenantAsync(adminToken, $"ratebench-checks-{Guid.NewGuid():N}", cancellationToken);
        Console.WriteLine($"setting up {count:N0} customers on {url}");
        var customers = await BenchCatalog.CreateAsync(api, apiKey, count, 16, cancellationToken);
        var entitled = customers.Where(c => c.Grant > 0m).ToList();
        var usage = BenchUsage.Create(customers, $"checks-{Guid.NewGuid():N}", DateTimeOffset.UtcNow.AddSeconds(-1), 500, 7);
        foreach (var batch in usage.Batches)
        {
            var (ok, failure) = await api.PostEventsAsync(apiKey, batch, cancellationToken);
            if (!ok)
            {
                throw new InvalidOperationException($"usage refused: {failure}");
            }
        }

        var body = await WaitForValuesAsync(api, apiKey, entitled, usage, cancellationToken);
        var bodyFile = Path.GetTempFileName();
        await File.WriteAllBytesAsync(bodyFile, body, cancellationToken);
        var baselinePort = Tally.Host.Hosting.FreePorts.Next();
        using var baseline = await BaselineServer.StartAsync(baselinePort, bodyFile);
        try
        {
            var tallyEnd = new IPEndPoint(IPAddress.Parse(url.Host), url.Port);
            var baselineEnd = new IPEndPoint(IPAddress.Loopback, baselinePort);
            var tallyRequests = entitled.Select(c => RawHttpConnection.Get(tallyEnd, $"/api/v2/customers/{c.Key}/entitlements/tokens/value", apiKey)).ToList();
            var baselineRequests = new[] { RawHttpConnection.Get(baselineEnd, "/value", apiKey) };
            Console.WriteLine(Invariant($"closed loop: {connections} connections, {warmup.TotalSeconds:F0} s warm-up + {measured.TotalSeconds:F0} s measured per run, {entitled.Count:N0} entitled customers, response {body.Length} bytes"));
            var results = new List<(LoopResult Baseline, LoopResult Tally)>();
            for (var round = 1; round <= rounds; round++)
            {
                Console.WriteLine($"round {round}: {await MachineLoad.WaitQuietAsync(quiet, quietWait, cancellationToken)}");
                var bare = await ClosedLoop.RunAsync("baseline", baselineEnd, baselineRequests, connections, warmup, measured, cancellationToken);
                Print(bare);
                var tally = await ClosedLoop.RunAsync("tally", tallyEnd, tallyRequests, connections, warmup, measured, cancellationToken);
                Print(tally);
                results.Add((bare, tally));
            }

            var ratios = results.Select(r => r.Tally.Throughput / r.Baseline.Throughput).Order().ToArray();
            Console.WriteLine();
            Console.WriteLine("| medians of " + rounds + " rounds | requests/s | p50 | p99 | p99.9 | errors |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            Row("bare ASP.NET Core constant (baseline)", results.Select(r => r.Baseline).ToList());
            Row("GET …/entitlements/{feature}/value", results.Select(r => r.Tally).ToList());
            Console.WriteLine(Invariant($"ratio tally / baseline throughput per round: {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))} (median {ratios[ratios.Length / 2]:F2})"));
            return results.All(r => r.Tally.Errors == 0 && r.Baseline.Errors == 0) ? 0 : 1;
        }
        finally
        {
            baseline.StandardInput.Close();
            if (!baseline.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                baseline.Kill();
            }

            File.Delete(bodyFile);
        }
    }

    /// <summary>Waits until every entitled customer's value shows its exact usage and balance; returns one value's body.</summary>
    private static async Task<byte[]> WaitForValuesAsync(TallyApi api, string apiKey, IReadOnlyList<BenchCustomer> entitled, BenchUsage usage, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var open = entitled.ToList();
        JsonElement last = default;
        while (open.Count > 0)
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(5))
            {
                throw new InvalidOperationException($"{open.Count} entitlement values never showed their usage, e.g. {open[0].Key}: {last}");
            }

            var still = new List<BenchCustomer>();
            foreach (var customer in open)
            {
                last = await api.SendAsync(HttpMethod.Get, $"/api/v2/customers/{customer.Key}/entitlements/tokens/value", apiKey, null, HttpStatusCode.OK, cancellationToken);
                var used = usage.Tokens[customer.Index];
                if (last.GetProperty("usage").GetDecimal() != used || last.GetProperty("balance").GetDecimal() != Math.Max(0m, customer.Grant - used))
                {
                    still.Add(customer);
                }
            }

            open = still;
            if (open.Count > 0)
            {
                await Task.Delay(500, cancellationToken);
            }
        }

        Console.WriteLine(Invariant($"every entitlement value exact (usage and balance) {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s after the usage was sent"));
        return Encoding.UTF8.GetBytes(last.GetRawText());
    }

    private static void Print(LoopResult r) => Console.WriteLine(Invariant(
        $"  {r.Target}: {r.Throughput:N0} requests/s, p50 {r.P50 / 1000.0:F2} ms, p99 {r.P99 / 1000.0:F2} ms, p99.9 {r.P999 / 1000.0:F2} ms, max {r.Max / 1000.0:F1} ms, {r.Errors} errors; load average {r.Load}"));

    private static void Row(string name, List<LoopResult> runs)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }

        Console.WriteLine(Invariant(
            $"| {name} | {Median(runs.Select(r => r.Throughput)):N0} | {Median(runs.Select(r => r.P50 / 1000.0)):F2} ms | {Median(runs.Select(r => r.P99 / 1000.0)):F2} ms | {Median(runs.Select(r => r.P999 / 1000.0)):F2} ms | {runs.Sum(r => r.Errors)} |"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
