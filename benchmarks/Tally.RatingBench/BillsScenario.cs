using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.EventLog;
using Tally.Billing.Rating;
using Tally.Billing.Usage;
using Tally.Host.Hosting;

namespace Tally.RatingBench;

/// <summary>
/// <c>bills</c>: a whole Tally in this process on the embedded defaults; N customers on mixed plans set up
/// over the API; every rating grain deactivated, then activated again while the heap is measured; then
/// usage for every customer over <c>POST /api/v1/events</c> (events → log → aggregator → usage deltas →
/// grains), and the time from the aggregator committing the last event until (a) the rating stage has
/// applied every delta (its consumer committed the end of the delta log) and (b) a sample of bills shows
/// the exact expected totals, and every customer's bill checked exactly; again for each of <c>--rounds</c> rounds of
/// fresh usage on the same customers (the bills then show every round so far); finally a sample over HTTP.
/// </summary>
public static class BillsScenario
{
    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var count = args.Int("customers", 100_000);
        var concurrency = args.Int("concurrency", 32);
        var batch = args.Int("batch", 500);
        var senders = args.Int("senders", 8);
        var sampleSize = args.Int("sample", 2_000);
        var seed = args.Int("seed", 1);
        var quiet = args.Double("quiet-load", 1.5);
        var quietWait = TimeSpan.FromMinutes(args.Double("quiet-wait-minutes", 15));
        var measureMemory = args.Int("memory", 1) != 0;
        var rounds = args.Int("rounds", 3);
        var pollConcurrency = args.Int("poll-concurrency", 4);
        args.EnsureAllRead();

        var now = DateTimeOffset.UtcNow;
        var monthEnd = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        if (monthEnd - now < TimeSpan.FromHours(2))
        {
            Console.Error.WriteLine("The month ends within 2 hours: live bills would change period mid-run. Run after midnight UTC.");
            return 2;
        }

        var dataDir = Directory.CreateTempSubdirectory("tally-ratebench-").FullName;
        var port = FreePorts.Next();
        var adminToken = $"tadm_ratebench-{Guid.NewGuid():N}";
        var app = TallyServer.Build(new ServeSettings(TallyRoles.All, dataDir, port)
        {
            Configuration = new Dictionary<string, string?>
            {
                ["Admin:Token"] = adminToken,
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Orleans"] = "Error",
            },
        });
        try
        {
            await app.StartAsync(cancellationToken);
            using var api = new TallyApi(new Uri($"http://127.0.0.1:{port}"));
            var (tenantId, apiKey) = await api.CreateTenantAsync(adminToken, $"ratebench-{Guid.NewGuid():N}", cancellationToken);

            Console.WriteLine($"setting up {count:N0} customers over the API ({concurrency} concurrent), load average {MachineLoad.Now()}");
            var setup = Stopwatch.GetTimestamp();
            var customers = await BenchCatalog.CreateAsync(api, apiKey, count, concurrency, cancellationToken);
            Console.WriteLine(Invariant($"catalog: {count:N0} customers in {Stopwatch.GetElapsedTime(setup).TotalSeconds:F0} s"));

            var grains = app.Services.GetRequiredService<IGrainFactory>();
            var bills = app.Services.GetRequiredService<ILiveBills>();
            if (measureMemory)
            {
                Console.WriteLine($"grain memory: {await MachineLoad.WaitQuietAsync(quiet, quietWait, cancellationToken)}");
                var memory = await GrainMemory.MeasureAsync(grains, bills, tenantId, customers, 64, cancellationToken);
                Console.WriteLine(Invariant($"  {memory.Grains:N0} grains activated in {memory.ActivationSeconds:F1} s ({memory.Grains / memory.ActivationSeconds:N0}/s; {memory.ActivationsLeftBefore} activations left before); heap {memory.HeapBefore / 1048576.0:F1} → {memory.HeapAfter / 1048576.0:F1} MiB"));
                Console.WriteLine(Invariant($"  managed heap per grain: {memory.BytesPerGrain:N0} bytes (the grain's own estimate, ApproximateBytesAsync: {memory.EstimatedBytesPerGrain:N0})"));
            }

            // Rounds of usage on the same customers: each round's bills must show every round so far.
            var tokens = new decimal[customers.Count];
            var check = new BillCheck(bills, tenantId, customers, tokens);
            var applied = new List<double>();
            var failures = 0;
            var wrong = (IReadOnlyList<(BenchCustomer Customer, string Seen)>)[];
            for (var round = 1; round <= rounds && failures == 0 && wrong.Count == 0; round++)
            {
                var (roundFailures, appliedMs) = await UsageRoundAsync(app, api, apiKey, check, customers, tokens, round, seed, batch, senders, sampleSize, pollConcurrency, quiet, quietWait, cancellationToken);
                failures += roundFailures;
                applied.Add(appliedMs);
                var full = Stopwatch.GetTimestamp();
                wrong = await check.MismatchesAsync(customers, 64, cancellationToken);
                Console.WriteLine(Invariant($"  every bill checked exactly in {Stopwatch.GetElapsedTime(full).TotalSeconds:F1} s: {customers.Count - wrong.Count:N0} match, {wrong.Count:N0} differ"));
                foreach (var (customer, seen) in wrong.Take(10))
                {
                    Console.WriteLine(Invariant($"    {customer.Key} ({customer.Plan}, grant {customer.Grant}): expected total {check.ExpectedTotal(customer)}, tokens {tokens[customer.Index]}; saw {seen}"));
                }
            }

            Console.WriteLine(Invariant($"(a) per round, ms after the last commit: {string.Join(", ", applied.Select(a => a.ToString("F0", CultureInfo.InvariantCulture)))}; median {Percentile([.. applied.Order()], 0.5):F0} ms"));
            var httpWrong = await HttpSampleAsync(api, apiKey, check, customers, seed, cancellationToken);
            Console.WriteLine($"  over HTTP (GET /api/v1/customers/{{key}}/charges, 500 random customers): {500 - httpWrong} match, {httpWrong} differ");
            Console.WriteLine($"load average at the end: {MachineLoad.Now()}");
            return failures == 0 && wrong.Count == 0 && httpWrong == 0 ? 0 : 1;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>
    /// One round of usage: fresh events for every customer (their tokens added to <paramref name="tokens"/>), sent
    /// over HTTP while a sample of bills is polled; prints the round's figures and returns its refused batches (plus sampled bills never exact) and
    /// (a), the milliseconds from the aggregator's commit of the round's last event until every delta was applied.
    /// </summary>
    private static async Task<(int Failures, double AppliedMs)> UsageRoundAsync(
        WebApplication app, TallyApi api, string apiKey, BillCheck check, IReadOnlyList<BenchCustomer> customers, decimal[] tokens,
        int round, int seed, int batch, int senders, int sampleSize, int pollConcurrency, double quiet, TimeSpan quietWait, CancellationToken cancellationToken)
    {
        var usage = BenchUsage.Create(customers, $"run-{seed}-{round}", DateTimeOffset.UtcNow.AddSeconds(-1), batch, seed * 1000 + round);
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] += usage.Tokens[i];
        }

        var sample = Sample(customers, usage, sampleSize, seed + round);
        var load = await MachineLoad.WaitQuietAsync(quiet, quietWait, cancellationToken);
        Console.WriteLine($"round {round}, usage: {usage.Events:N0} events in {usage.Batches.Count:N0} batches of {batch}, {senders} senders; {load}");
        var deltas = (IEventLogProgress)app.Services.GetRequiredKeyedService<IEventLog>(UsageDeltaTopic.Name);
        using var commits = new AggregatorCommits(usage.Events);
        var gc = GcFigures.Now();
        await using var gcLog = new GcLog();
        var sent = Stopwatch.GetTimestamp();
        var polling = Task.Run(() => check.PollAsync(sample, pollConcurrency, TimeSpan.FromMinutes(10), cancellationToken), cancellationToken);
        var failures = await SendAsync(api, apiKey, usage.Batches, senders, cancellationToken);
        var ingested = Stopwatch.GetElapsedTime(sent);
        var t0 = await commits.LastCommitted.WaitAsync(TimeSpan.FromMinutes(10), cancellationToken);
        var behind = await BehindAsync(deltas, cancellationToken);
        var applied = await DeltasAppliedAsync(deltas, cancellationToken);
        var gcDuring = GcFigures.Now() - gc;
        var collections = await gcLog.StopAsync();
        var (matchedAt, slowestPass) = await polling;
        Console.WriteLine(Invariant($"  ingest: {usage.Events:N0} events acknowledged in {ingested.TotalSeconds:F1} s ({usage.Events / ingested.TotalSeconds:N0}/s), {failures} failed batches"));
        Console.WriteLine(Invariant($"  aggregator committed the last event {Ms(t0 - sent):F0} ms after the first send; then {behind:N0} delta records were not yet applied"));
        Console.WriteLine(Invariant($"  (a) every delta applied (rating consumer committed the delta log's end): {Ms(applied - t0):F0} ms after the last commit"));
        Report(sample, matchedAt, t0, slowestPass, pollConcurrency);
        Console.WriteLine(Invariant($"  GC from the first send until every delta was applied: {gcDuring}; {GCSettings.IsServerGC switch { true => "server", false => "workstation" }} GC, {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:F0} MiB heap"));
        Console.WriteLine($"    {string.Join("\n    ", collections)}");
        // A sampled bill never exact fails the run like a refused batch.
        return (failures + matchedAt.Count(m => m == 0), Ms(applied - t0));
    }

    /// <summary>Half the sample from customers whose bills change last (an event among the last 2% sent), half at random; none on the flat plan.</summary>
    private static List<BenchCustomer> Sample(IReadOnlyList<BenchCustomer> customers, BenchUsage usage, int size, int seed)
    {
        var random = new Random(seed + 1);
        var priced = customers.Where(c => BenchPlans.PricesUsage(c.Plan)).ToArray();
        var late = priced.Where(c => usage.LastTouched.Contains(c.Index)).ToArray();
        random.Shuffle(late);
        random.Shuffle(priced);
        return [.. late.Take(size / 2).Concat(priced).DistinctBy(c => c.Index).Take(size)];
    }

    private static void Report(List<BenchCustomer> sample, long[] matchedAt, long t0, double slowestPassMs, int pollConcurrency)
    {
        var after = matchedAt.Where(m => m != 0).Select(m => Math.Max(0, Ms(m - t0))).Order().ToArray();
        var never = matchedAt.Count(m => m == 0);
        var before = matchedAt.Count(m => m != 0 && m <= t0);
        Console.WriteLine(Invariant($"  (b) sample of {sample.Count:N0} bills (half with an event among the last 2% sent): {before:N0} exact before the last commit, the last one exact {(after.Length == 0 ? double.NaN : after[^1]):F0} ms after it; p50 {Percentile(after, 0.5):F0} ms, p99 {Percentile(after, 0.99):F0} ms; {never} never matched; slowest polling pass {slowestPassMs:F0} ms ({pollConcurrency} reads at a time)"));
    }

    /// <summary>Delta records in the log that the rating consumer has not committed yet.</summary>
    private static async Task<long> BehindAsync(IEventLogProgress deltas, CancellationToken cancellationToken)
    {
        var end = await deltas.GetEndPositionsAsync(cancellationToken);
        var committed = await deltas.GetCommittedPositionsAsync(UsageDeltaTopic.RatingGroup, cancellationToken);
        return end.Zip(committed).Sum(p => Math.Max(0, p.First - p.Second));
    }

    private static async Task<long> DeltasAppliedAsync(IEventLogProgress deltas, CancellationToken cancellationToken)
    {
        var end = await deltas.GetEndPositionsAsync(cancellationToken);
        while (true)
        {
            var committed = await deltas.GetCommittedPositionsAsync(UsageDeltaTopic.RatingGroup, cancellationToken);
            if (committed.Zip(end).All(p => p.First >= p.Second))
            {
                return Stopwatch.GetTimestamp();
            }

            await Task.Delay(2, cancellationToken);
        }
    }

    private static async Task<int> SendAsync(TallyApi api, string apiKey, IReadOnlyList<byte[]> batches, int senders, CancellationToken cancellationToken)
    {
        var failures = 0;
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = senders, CancellationToken = cancellationToken }, async (body, ct) =>
        {
            var (ok, failure) = await api.PostEventsAsync(apiKey, body, ct);
            if (!ok && Interlocked.Increment(ref failures) == 1)
            {
                Console.Error.WriteLine($"  a batch was refused: {failure}");
            }
        });
        return failures;
    }

    private static async Task<int> HttpSampleAsync(TallyApi api, string apiKey, BillCheck check, IReadOnlyList<BenchCustomer> customers, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed + 2);
        var wrong = 0;
        foreach (var customer in Enumerable.Range(0, 500).Select(_ => customers[random.Next(customers.Count)]))
        {
            var charges = await api.SendAsync(HttpMethod.Get, $"/api/v1/customers/{customer.Key}/charges", apiKey, null, HttpStatusCode.OK, cancellationToken);
            var total = decimal.Parse(charges.GetProperty("totals").GetProperty("total").GetString()!, CultureInfo.InvariantCulture);
            wrong += total == check.ExpectedTotal(customer) ? 0 : 1;
        }

        return wrong;
    }

    private static double Ms(long stopwatchTicks) => stopwatchTicks * 1000.0 / Stopwatch.Frequency;

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
