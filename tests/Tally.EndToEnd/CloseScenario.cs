using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Tally.FakeStripe;

namespace Tally.EndToEnd;

/// <summary>
/// October 2026 for a tenant of <c>count</c> customers on one plan (0.003 USD a token, subscribed since
/// September), each with one event of its own token count, as the close end-to-end tests set it up and
/// check it: exactly one issued invoice per customer with the exact total, numbers without a gap, and the
/// Stripe fake holding one customer, invoice and item per customer.
/// </summary>
internal sealed class CloseScenario(PipelineApi api, string adminToken, int count, string name)
{
    public string Key { get; private set; } = "";

    /// <summary>
    /// What a close test's processes run with: no grace, leases of 5 s (so a dead worker's tasks are resumed
    /// quickly), a brisk poll, no scheduler (the test starts the run), Stripe at the fake.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Settings(string adminToken, StripeFake stripe) => new Dictionary<string, string>
    {
        ["TALLY_ADMIN_TOKEN"] = adminToken,
        ["TALLY_Close__GraceMinutes"] = "0",
        ["TALLY_Close__LeaseSeconds"] = "5",
        ["TALLY_Close__PollMilliseconds"] = "100",
        ["TALLY_Close__ScheduleEnabled"] = "false",
        ["TALLY_Stripe__BaseAddress"] = stripe.BaseAddress,
        ["TALLY_Stripe__EncryptionKey"] = Convert.ToBase64String(new byte[32]),
    };

    public string TenantId { get; private set; } = "";

    public static string Customer(int i) => $"c{i:D5}";

    public static int Tokens(int i) => (i * 37 % 1000) + 1;

    /// <summary>tokens × 0.003 USD, rounded half away from zero to cents.</summary>
    public static string Amount(int i) =>
        Math.Round(Tokens(i) * 0.003m, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>The tenant with the Stripe fake installed, the meter, feature and published plan, the customers and their subscriptions, their events; returns once every event is aggregated.</summary>
    public async Task SetUpAsync(int parallelism = 8)
    {
        Key = await api.CreateTenantAsync(adminToken, name);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/marketplace/listings/stripe/install/apikey", Key, new { apiKey = StripeFake.ApiKey });
        TenantId = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/admin/tenants", adminToken)).EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", Key, new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens" });
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/features", Key, new { key = "tokens", name = "Tokens", meterSlug = "tokens" });
        var plan = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/plans", Key, CatalogBodies.UnitPricePlan("pro", "tokens", "0.003"));
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/plans/{plan.GetProperty("id").GetString()}/publish", Key);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, _) =>
        {
            await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", Key, new { key = Customer(i), name = Customer(i) });
            await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", Key, new { customerKey = Customer(i), plan = new { key = "pro" }, timing = "2026-09-01T00:00:00Z" });
        });
        var (status, problem) = await api.PostEventsAsync(Key, "application/cloudevents-batch+json", Events());
        Assert.True(status == HttpStatusCode.NoContent, $"ingest answered {(int)status}: {problem}");
        await Eventually.EqualsAsync(Enumerable.Range(0, count).Sum(Tokens), TotalTokensAsync, TimeSpan.FromMinutes(5));
    }

    /// <summary>Starts October's close of the tenant through the admin route; the run's id.</summary>
    public async Task<string> StartCloseAsync() =>
        (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/admin/close-runs", adminToken, new { period = "2026-10", tenantId = TenantId }))
            .GetProperty("runs")[0].GetProperty("id").GetString()!;

    /// <summary>Customers the run has finished (0 while the server does not answer).</summary>
    public async Task<int> DoneAsync(string runId)
    {
        var (status, body) = await api.SendAsync(HttpMethod.Get, $"/api/v1/billing/close-runs/{runId}", Key);
        return status == HttpStatusCode.OK ? body.GetProperty("progress").GetProperty("done").GetInt32() : 0;
    }

    public async Task<string> StatusAsync(string runId)
    {
        var (status, body) = await api.SendAsync(HttpMethod.Get, $"/api/v1/billing/close-runs/{runId}", Key);
        return status == HttpStatusCode.OK ? body.GetProperty("status").GetString()! : "unreachable";
    }

    public async Task<IReadOnlyList<JsonElement>> HistoryAsync(string runId) =>
        [.. (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs/{runId}/history", Key)).EnumerateArray()];

    /// <summary>
    /// Asserts what a completed close must leave: one issued invoice per customer with its exact total,
    /// numbers INV-000001 on without a gap, and in Stripe one customer, one finalized invoice of the same
    /// total and one item per customer, each ledger invoice naming its Stripe twin. Returns the invoices.
    /// </summary>
    public async Task<IReadOnlyList<JsonElement>> AssertExactlyOneInvoiceEachAsync(StripeFake stripe)
    {
        var invoices = new List<JsonElement>();
        for (var page = 1; invoices.Count < count && page <= 10; page++)
        {
            invoices.AddRange((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/invoices?pageSize=1000&page={page}", Key)).GetProperty("items").EnumerateArray());
        }

        Assert.Equal(count, invoices.Count);
        Assert.Equal(
            Enumerable.Range(0, count).Select(i => (Customer(i), Amount(i))).Order(),
            invoices.Select(i => (i.GetProperty("customer").GetProperty("key").GetString()!, i.GetProperty("totals").GetProperty("total").GetString()!)).Order());
        Assert.Equal(
            Enumerable.Range(1, count).Select(n => $"INV-{n:D6}"),
            invoices.Select(i => i.GetProperty("number").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(invoices, i => Assert.Equal("issued", i.GetProperty("status").GetString()));

        Assert.Equal(new Dictionary<string, int> { ["customer"] = count, ["invoice"] = count, ["invoiceitem"] = count, ["credit_note"] = 0 }, stripe.CreatedCounts);
        Assert.All(stripe.Invoices, i => Assert.Equal("open", i.Status));
        Assert.Equal(stripe.Invoices.Select(i => i.Id).Order(StringComparer.Ordinal), invoices.Select(i => i.GetProperty("externalIds").GetProperty("invoicing").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(
            invoices.ToDictionary(i => i.GetProperty("externalIds").GetProperty("invoicing").GetString()!, i => (long)(decimal.Parse(i.GetProperty("totals").GetProperty("total").GetString()!, CultureInfo.InvariantCulture) * 100)),
            stripe.Invoices.ToDictionary(i => i.Id, i => i.Total));
        return invoices;
    }

    private string Events()
    {
        var body = new StringBuilder(count * 160).Append('[');
        for (var i = 0; i < count; i++)
        {
            body.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$$"""{"specversion":"1.0","id":"e{{{i}}}","source":"close-e2e","type":"prompt","subject":"{{{Customer(i)}}}","time":"2026-10-15T12:00:00Z","data":{"tokens":{{{Tokens(i)}}}}}""");
        }

        return body.Append(']').ToString();
    }

    private async Task<int> TotalTokensAsync() =>
        (int)(await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/tokens/query?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z", Key))
            .GetProperty("data").EnumerateArray().Sum(v => v.GetProperty("value").GetDecimal());
}
