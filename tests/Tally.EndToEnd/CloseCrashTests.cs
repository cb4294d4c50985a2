using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Tally.FakeStripe;

namespace Tally.EndToEnd;

/// <summary>
/// SIGKILLs <c>tally up</c> ten times while it closes October for 5,000 customers on the embedded
/// defaults, restarting it on the same <c>--data-dir</c> each time (leases of 5 s, so a dead worker's
/// tasks are resumed quickly). Every customer must end with exactly one invoice of the exact expected
/// total, the numbers must run from INV-000001 to INV-005000 without a gap, and the history must show
/// the tasks a restarted worker resumed.
/// </summary>
public sealed class CloseCrashTests : IAsyncLifetime
{
    private const string AdminToken = "tadm_close-crash";
    private const int Customers = 5_000;
    private const int Kills = 10;
    private StripeFake _stripe = null!;
    private KillableUp _up = null!;

    public async ValueTask InitializeAsync()
    {
        // Stripe answers each call after 20 ms, so kills land while pushes are in flight.
        _stripe = await StripeFake.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        _stripe.Latency = TimeSpan.FromMilliseconds(20);
        _up = new KillableUp(new Dictionary<string, string>
        {
            ["TALLY_ADMIN_TOKEN"] = AdminToken,
            ["TALLY_Close__GraceMinutes"] = "0",
            ["TALLY_Close__LeaseSeconds"] = "5",
            ["TALLY_Close__BatchSize"] = "250",
            ["TALLY_Close__PollMilliseconds"] = "100",
            ["TALLY_Close__ScheduleEnabled"] = "false",
            ["TALLY_Stripe__BaseAddress"] = _stripe.BaseAddress,
            ["TALLY_Stripe__EncryptionKey"] = Convert.ToBase64String(new byte[32]),
        });
    }

    [Fact]
    public async Task Up_KilledTenTimesDuringACloseOfFiveThousandCustomers_EachGetsExactlyOneExactInvoice()
    {
        using var api = new PipelineApi(_up.BaseUrl, _up.BaseUrl);
        await _up.StartAsync();
        var key = await api.CreateTenantAsync(AdminToken, "Closing");
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/marketplace/listings/stripe/install/apikey", key, new { apiKey = StripeFake.ApiKey });
        var tenantId = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/admin/tenants", AdminToken)).EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "Closing").GetProperty("id").GetString()!;
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens" });
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/features", key, new { key = "tokens", name = "Tokens", meterSlug = "tokens" });
        var plan = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/plans", key, CatalogBodies.UnitPricePlan("pro", "tokens", "0.003"));
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/plans/{plan.GetProperty("id").GetString()}/publish", key);
        await Parallel.ForEachAsync(Enumerable.Range(0, Customers), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, new { key = Name(i), name = Name(i) });
            await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", key, new { customerKey = Name(i), plan = new { key = "pro" }, timing = "2026-09-01T00:00:00Z" });
        });
        var (status, _) = await api.PostEventsAsync(key, "application/cloudevents-batch+json", Events());
        Assert.Equal(HttpStatusCode.NoContent, status);
        await Eventually.EqualsAsync(Enumerable.Range(0, Customers).Sum(Tokens), () => TotalTokensAsync(api, key), TimeSpan.FromMinutes(5));

        var runId = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/admin/close-runs", AdminToken, new { period = "2026-10", tenantId }))
            .GetProperty("runs")[0].GetProperty("id").GetString()!;
        var random = new Random(20261127);
        for (var kill = 1; kill <= Kills; kill++)
        {
            // Half the kills wait for the run to get a tenth further, half come at a random moment after the restart.
            if (kill % 2 == 0)
            {
                var target = Customers * kill / (Kills + 2);
                await Eventually.EqualsAsync(true, async () => await DoneAsync(api, key, runId) >= target, TimeSpan.FromMinutes(5));
            }
            else
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(200, 2_500)), TestContext.Current.CancellationToken);
            }

            await _up.KillAndRestartAsync();
        }

        await Eventually.EqualsAsync("completed", async () => await StatusAsync(api, key, runId), TimeSpan.FromMinutes(10));

        var invoices = new List<JsonElement>();
        for (var page = 1; invoices.Count < Customers && page <= 10; page++)
        {
            invoices.AddRange((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/invoices?pageSize=1000&page={page}", key)).GetProperty("items").EnumerateArray());
        }

        Assert.Equal(Customers, invoices.Count);
        Assert.Equal(
            Enumerable.Range(0, Customers).Select(i => (Name(i), Amount(i))).Order(),
            invoices.Select(i => (i.GetProperty("customer").GetProperty("key").GetString()!, i.GetProperty("totals").GetProperty("total").GetString()!)).Order());
        Assert.Equal(
            Enumerable.Range(1, Customers).Select(n => $"INV-{n:D6}"),
            invoices.Select(i => i.GetProperty("number").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(invoices, i => Assert.Equal("issued", i.GetProperty("status").GetString()));
        var history = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs/{runId}/history", key);
        var entries = history.EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("outcome").GetString() == "resumed");
        Assert.Equal(Customers, entries.Count(e => e.GetProperty("outcome").GetString() == "issued"));
        Assert.True(entries.Select(e => e.GetProperty("worker").GetString()).Distinct().Count() > 2, "the run's work should have been done by several of the restarted processes");
        Assert.Equal(Kills + 1, _up.Starts);

        // Stripe: one customer, one invoice with its one item, finalized, per customer; each ledger invoice names its Stripe twin.
        Assert.Equal(new Dictionary<string, int> { ["customer"] = Customers, ["invoice"] = Customers, ["invoiceitem"] = Customers, ["credit_note"] = 0 }, _stripe.CreatedCounts);
        Assert.All(_stripe.Invoices, i => Assert.Equal("open", i.Status));
        Assert.Equal(_stripe.Invoices.Select(i => i.Id).Order(StringComparer.Ordinal), invoices.Select(i => i.GetProperty("externalIds").GetProperty("invoicing").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(
            invoices.ToDictionary(i => i.GetProperty("externalIds").GetProperty("invoicing").GetString()!, i => (long)(decimal.Parse(i.GetProperty("totals").GetProperty("total").GetString()!, CultureInfo.InvariantCulture) * 100)),
            _stripe.Invoices.ToDictionary(i => i.Id, i => i.Total));
    }

    private static string Name(int i) => $"c{i:D5}";

    private static int Tokens(int i) => (i * 37 % 1000) + 1;

    /// <summary>tokens × 0.003 USD, rounded half away from zero to cents.</summary>
    private static string Amount(int i) =>
        Math.Round(Tokens(i) * 0.003m, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Events()
    {
        var body = new StringBuilder(Customers * 160).Append('[');
        for (var i = 0; i < Customers; i++)
        {
            body.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$$"""{"specversion":"1.0","id":"e{{{i}}}","source":"close-crash","type":"prompt","subject":"{{{Name(i)}}}","time":"2026-10-15T12:00:00Z","data":{"tokens":{{{Tokens(i)}}}}}""");
        }

        return body.Append(']').ToString();
    }

    private static async Task<int> TotalTokensAsync(PipelineApi api, string key) =>
        (int)(await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/tokens/query?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z", key))
            .GetProperty("data").EnumerateArray().Sum(v => v.GetProperty("value").GetDecimal());

    private static async Task<int> DoneAsync(PipelineApi api, string key, string runId)
    {
        var (status, body) = await api.SendAsync(HttpMethod.Get, $"/api/v1/billing/close-runs/{runId}", key);
        return status == HttpStatusCode.OK ? body.GetProperty("progress").GetProperty("done").GetInt32() : 0;
    }

    private static async Task<string> StatusAsync(PipelineApi api, string key, string runId)
    {
        var (status, body) = await api.SendAsync(HttpMethod.Get, $"/api/v1/billing/close-runs/{runId}", key);
        return status == HttpStatusCode.OK ? body.GetProperty("status").GetString()! : "unreachable";
    }

    public async ValueTask DisposeAsync()
    {
        await _up.DisposeAsync();
        await _stripe.DisposeAsync();
    }
}
