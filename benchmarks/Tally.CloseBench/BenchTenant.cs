using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.EventLog;
using Tally.Billing.Invoices;
using Tally.Billing.Subscriptions;
using Tally.Billing.Usage;

namespace Tally.CloseBench;

/// <summary>
/// One tenant of the benchmark: a SUM meter, its feature and a published plan of 0.003 USD a token through
/// the API; one October event per customer through ingest; its customers and their subscriptions (since
/// September 2026) written straight through the ledger's stores, since setting up is not what is measured.
/// Its close of October is started through the admin route and followed until it completes.
/// </summary>
internal sealed class BenchTenant(BenchServer server, string name, int customers)
{
    private static readonly BillingPeriod October = new(2026, 10);

    public string Id { get; private set; } = "";

    public string Key { get; private set; } = "";

    public string RunId { get; private set; } = "";

    public static int Tokens(int i) => (i * 37 % 1000) + 1;

    public static decimal Amount(int i) => Math.Round(Tokens(i) * 0.003m, 2, MidpointRounding.AwayFromZero);

    /// <summary>Where the setup's time went: events until aggregated, customers and subscriptions.</summary>
    public string SetupPhases { get; private set; } = "";

    public async Task SetUpAsync(string? stripeApiKey)
    {
        var setup = Stopwatch.StartNew();
        var tenant = await server.CallAsync(HttpMethod.Post, "/api/admin/tenants", server.AdminToken, new { name }, expected: 201);
        (Id, Key) = (tenant.GetProperty("id").GetString()!, tenant.GetProperty("apiKey").GetString()!);
        if (stripeApiKey is not null)
        {
            await server.CallAsync(HttpMethod.Post, "/api/v1/marketplace/listings/stripe/install/apikey", Key, new { apiKey = stripeApiKey });
        }

        await server.CallAsync(HttpMethod.Post, "/api/v1/meters", Key, new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens" }, expected: 201);
        await server.CallAsync(HttpMethod.Post, "/api/v1/features", Key, new { key = "tokens", name = "Tokens", meterSlug = "tokens" }, expected: 201);
        var rateCard = new { type = "usage_based", key = "tokens", name = "Tokens", featureKey = "tokens", billingCadence = "P1M", price = new { type = "unit", amount = "0.003" } };
        var plan = await server.CallAsync(HttpMethod.Post, "/api/v1/plans", Key, new
        {
            key = "pro",
            name = "Pro",
            currency = "USD",
            billingCadence = "P1M",
            phases = new[] { new { key = "default", name = "Default", duration = (string?)null, rateCards = new[] { rateCard } } },
        }, expected: 201);
        await server.CallAsync(HttpMethod.Post, $"/api/v1/plans/{plan.GetProperty("id").GetString()}/publish", Key);

        // Events first, customers after: the aggregator's usage deltas then name subjects of no customer, so no
        // customer's live-bill grain wakes to take them (a hundred thousand activations would outlast the close
        // and compete with it); the close reads the usage from the store by subject all the same.
        foreach (var chunk in Enumerable.Range(0, customers).Chunk(10_000))
        {
            await server.CallAsync(HttpMethod.Post, "/api/v1/events", Key, expected: 204, rawBody: Events(chunk));
        }

        var expected = Enumerable.Range(0, customers).Sum(i => (decimal)Tokens(i));
        while (await TotalTokensAsync() != expected || !await DeltasTakenAsync())
        {
            if (setup.Elapsed > TimeSpan.FromMinutes(20))
            {
                throw new TimeoutException($"the aggregator and the rating consumer did not take every event of {name} within 20 minutes");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        var aggregated = setup.Elapsed;
        var published = (await server.Services.GetRequiredService<IPlanStore>().VersionsAsync(Id, "pro", CancellationToken.None)).Single();
        var customerStore = server.Services.GetRequiredService<ICustomerStore>();
        var subscriptions = server.Services.GetRequiredService<ISubscriptionStore>();
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, customers), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var key = CustomerKey(i);
            var customer = new Customer(Id, Ids.NewUlid(now), key, key, [key], Currency.Usd, now);
            await customerStore.CreateAsync(customer, ct);
            await subscriptions.CreateAsync(
                new Subscription(Id, Ids.NewUlid(now), customer.Id, published.Id, published.Key, published.Version, published.Name, published.Currency, October.From.AddMonths(-1), null, now), [], null, ct);
        });

        SetupPhases = string.Create(CultureInfo.InvariantCulture, $"events aggregated {aggregated.TotalSeconds:F0} s, customers and subscriptions {(setup.Elapsed - aggregated).TotalSeconds:F0} s");
    }

    /// <summary>
    /// Starts October's close and waits until every customer's task has finished (the worker's own count of
    /// finished tasks, read in this process: asking the API would count the run's tasks on every poll); the
    /// time from the request to the last task's commit. Then the API must call the run completed.
    /// </summary>
    public async Task<TimeSpan> CloseAsync(StepTimes steps)
    {
        var started = Stopwatch.StartNew();
        RunId = (await server.CallAsync(HttpMethod.Post, "/api/admin/close-runs", server.AdminToken, new { period = October.ToString(), tenantId = Id }))
            .GetProperty("runs")[0].GetProperty("id").GetString()!;
        while (steps.Finished < customers)
        {
            if (started.Elapsed > TimeSpan.FromMinutes(30))
            {
                throw new TimeoutException($"close run {RunId} of {name} finished {steps.Finished} of {customers} customers in 30 minutes");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        var elapsed = started.Elapsed;
        var run = await server.CallAsync(HttpMethod.Get, $"/api/v1/billing/close-runs/{RunId}", Key);
        return run.GetProperty("status").GetString() == "completed"
            ? elapsed
            : throw new InvalidOperationException($"close run {RunId} of {name} is not completed: {run}");
    }

    /// <summary>Fails unless every customer has exactly one issued invoice of its exact total, numbered without a gap.</summary>
    public async Task VerifyAsync()
    {
        var invoices = server.Services.GetRequiredService<IInvoiceStore>();
        var all = new List<Invoice>();
        for (var page = 1; all.Count < customers; page++)
        {
            var (items, _) = await invoices.ListAsync(Id, new InvoiceFilter { Page = page, PageSize = 1000 }, CancellationToken.None);
            if (items.Count == 0)
            {
                break;
            }

            all.AddRange(items);
        }

        var expected = Enumerable.Range(0, customers).Sum(Amount);
        var numbers = all.Select(i => i.Number).Distinct().Count();
        if (all.Count != customers || all.Any(i => i.Status != InvoiceStatus.Issued) || all.Sum(i => i.Total) != expected || numbers != customers
            || all.Max(i => i.Number) != $"INV-{customers:D6}")
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {all.Count} invoices ({all.Count(i => i.Status == InvoiceStatus.Issued)} issued, {numbers} numbers) totalling {all.Sum(i => i.Total)}; expected {customers} issued, totalling {expected}"));
        }
    }

    private static string CustomerKey(int i) => $"c{i:D6}";

    /// <summary>Whether the rating stage's consumer has read the usage delta topic to its end.</summary>
    private async Task<bool> DeltasTakenAsync()
    {
        var deltas = (IEventLogProgress)server.Services.GetRequiredKeyedService<IEventLog>(UsageDeltaTopic.Name);
        var committed = await deltas.GetCommittedPositionsAsync(UsageDeltaTopic.RatingGroup, CancellationToken.None);
        return committed.Zip(await deltas.GetEndPositionsAsync(CancellationToken.None)).All(p => p.First >= p.Second);
    }

    private static string Events(IEnumerable<int> customers)
    {
        var body = new StringBuilder().Append('[');
        foreach (var i in customers)
        {
            body.Append(body.Length == 1 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$$"""{"specversion":"1.0","id":"e{{{i}}}","source":"closebench","type":"prompt","subject":"{{{CustomerKey(i)}}}","time":"2026-10-15T12:00:00Z","data":{"tokens":{{{Tokens(i)}}}}}""");
        }

        return body.Append(']').ToString();
    }

    private async Task<decimal> TotalTokensAsync() =>
        (await server.CallAsync(HttpMethod.Get, "/api/v1/meters/tokens/query?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z", Key))
            .GetProperty("data").EnumerateArray().Sum(v => v.GetProperty("value").GetDecimal());
}
