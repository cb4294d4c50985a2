using System.Globalization;
using Tally.CloseBench;
using Tally.FakeStripe;

// dotnet run -c Release --project benchmarks/Tally.CloseBench -- [--customers 100000] [--runs 3] [--push-customers 2000] [--push-latency-ms 150] [--push-concurrency 25] [--batch 500] [--concurrent-batches 2] [--keep-data]
var customers = Option("--customers", 100_000);
var runs = Option("--runs", 3);
var pushCustomers = Option("--push-customers", 2_000);
var latency = TimeSpan.FromMilliseconds(Option("--push-latency-ms", 150));
var concurrency = Option("--push-concurrency", 25);
var batch = Option("--batch", 500);
var keepData = args.Contains("--keep-data");
var concurrentBatches = Option("--concurrent-batches", 2);
Console.WriteLine($"# Tally close benchmark\n\ncommand: `{("dotnet run -c Release --project benchmarks/Tally.CloseBench -- " + string.Join(' ', args)).TrimEnd()}`");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, load average at start {LoadAverage()}; process {Environment.ProcessId}\n");

await using var stripe = await StripeFake.StartAsync();
using var steps = new StepTimes();
await using var server = new BenchServer(new Dictionary<string, string?>
{
    ["Stripe:BaseAddress"] = stripe.BaseAddress,
    ["Close:PushConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
    ["Close:BatchSize"] = batch.ToString(CultureInfo.InvariantCulture),
    ["Close:ConcurrentBatches"] = concurrentBatches.ToString(CultureInfo.InvariantCulture),
}, keepData);
await server.StartAsync();

var closes = new List<double>();
var ratings = new List<(double Demands, double Pricing)>();
for (var run = 1; run <= runs && customers > 0; run++)
{
    var tenant = new BenchTenant(server, $"close-{run}", customers);
    var setup = System.Diagnostics.Stopwatch.StartNew();
    await tenant.SetUpAsync(stripeApiKey: null);
    Console.WriteLine($"run {run}: {customers:N0} customers, subscriptions and events set up in {setup.Elapsed.TotalSeconds:F0} s, not measured ({tenant.SetupPhases})");
    steps.Reset();
    Console.WriteLine($"run {run}: closing");
    var loadBefore = LoadAverage();
    var cpuBefore = CpuTime.Now();
    var elapsed = await tenant.CloseAsync(steps);
    var cpu = CpuTime.Now() - cpuBefore;
    var loadAfter = LoadAverage();
    await tenant.VerifyAsync();
    var byStep = steps.Snapshot();
    cpuBefore = CpuTime.Now();
    var (demands, pricing, _) = await RatingProbe.RunAsync(server.Services, tenant.Id, tenant.RunId, batch);
    var ratingCpu = CpuTime.Now() - cpuBefore;
    closes.Add(elapsed.TotalSeconds);
    ratings.Add((demands.TotalSeconds, pricing.TotalSeconds));
    Console.WriteLine(Invariant($"run {run}: close to issued invoices {elapsed.TotalSeconds:F1} s ({customers / elapsed.TotalSeconds:N0} customers/s; load average {loadBefore} before, {loadAfter} after); batches' time per step, summed ({concurrentBatches} at once): {Describe(byStep)}; rating alone {demands.TotalSeconds + pricing.TotalSeconds:F2} s (catalogs and demands {demands.TotalSeconds:F2} s, pricing {pricing.TotalSeconds:F2} s); CPU of the close {cpu.Self:F1} s in this process (of which {cpu.RuntimeSeconds("gc"):F1} s in the GC's threads) + {cpu.Children:F1} s in its children (embedded ClickHouse), of rating alone {ratingCpu.Self:F1} s; read/write calls of the close {cpu.ReadCalls:N0}/{cpu.WriteCalls:N0}; every invoice exact"));
}

if (closes.Count > 0)
{
    Console.WriteLine($"\n| {customers:N0} customers, medians of {closes.Count} | seconds | customers/s |");
    Console.WriteLine("| --- | ---: | ---: |");
    Console.WriteLine(Invariant($"| close: freeze, rate, check, issue (request to completed run) | {Median(closes):F1} | {customers / Median(closes):N0} |"));
    Console.WriteLine(Invariant($"| rating alone: catalogs and demands from the ledger | {Median(ratings.Select(r => r.Demands)):F2} | |"));
    Console.WriteLine(Invariant($"| rating alone: pricing the frozen usage | {Median(ratings.Select(r => r.Pricing)):F2} | |"));
}

if (pushCustomers > 0)
{
    var tenant = new BenchTenant(server, "push", pushCustomers);
    await tenant.SetUpAsync(StripeFake.ApiKey);
    stripe.Latency = latency;
    var before = stripe.Requests.Count;
    steps.Reset();
    var loadBefore = LoadAverage();
    var elapsed = await tenant.CloseAsync(steps);
    await tenant.VerifyAsync();
    var push = steps.Snapshot().GetValueOrDefault("Push");
    var calls = (double)(stripe.Requests.Count - before) / pushCustomers;
    var rate = pushCustomers / push.Seconds;
    var bound = concurrency / (calls * latency.TotalSeconds);
    Console.WriteLine(Invariant($"\npush: {pushCustomers:N0} invoices to the Stripe fake at {latency.TotalMilliseconds:F0} ms a call, {concurrency} in flight (most seen: {stripe.MaxInFlight}); load average {loadBefore}"));
    Console.WriteLine("| pushes/s (push step busy time) | Stripe calls per invoice | bound: in flight ÷ (calls × latency) | ratio | whole close |");
    Console.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
    Console.WriteLine(Invariant($"| {rate:F1} ({push.Seconds:F1} s, {push.Batches} batches) | {calls:F2} | {bound:F1} | {rate / bound:F2} | {elapsed.TotalSeconds:F1} s |"));
    Console.WriteLine($"Stripe objects: {string.Join(", ", stripe.CreatedCounts.Select(c => $"{c.Key} {c.Value}"))}");
}

Console.WriteLine($"\nload average at the end {LoadAverage()}");
return 0;

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string Describe(IReadOnlyDictionary<string, (double Seconds, int Batches)> byStep) =>
    string.Join(", ", byStep.Where(s => !s.Key.Contains('/', StringComparison.Ordinal)).OrderByDescending(s => s.Value.Seconds).Select(s => Invariant(
        $"{s.Key} {s.Value.Seconds:F1} s in {s.Value.Batches} batches ({string.Join(", ", byStep.Where(p => p.Key.StartsWith(s.Key + "/", StringComparison.Ordinal)).Select(p => $"{p.Key[(s.Key.Length + 1)..]} {p.Value.Seconds:F1}"))})")));

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
