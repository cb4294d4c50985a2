using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tally.Billing;
using Tally.Billing.Customers;
using Tally.Billing.Payments;
using Tally.Billing.Tenants;
using Tally.FakeStripe;
using Tally.Ledger;
using Tally.ServiceDefaults;
using Tally.Stripe;

namespace Tally.Tests.Payments;

/// <summary>
/// OpenMeter's app, marketplace and customer Stripe routes over HTTP, on a host with just the service
/// defaults, the ledger and the Stripe adapter (as <c>tally up</c> wires them), against the fake.
/// </summary>
public sealed class StripeAppApiTests : IAsyncLifetime
{
    private const string OtherAccountKey = "sk_test_OtherAccountKey00002";
    private const string RolledKey = "sk_test_RolledKeySameAccount9";

    private readonly string dataDir = Directory.CreateTempSubdirectory("tally-stripe-api-").FullName;
    private readonly HttpClient http = new();
    private StripeFake fake = null!;
    private WebApplication app = null!;
    private string acme = "";
    private string globex = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        fake = await StripeFake.StartAsync(cancellationToken: Ct);
        fake.AddAccount(OtherAccountKey);
        fake.AddKey(RolledKey, StripeFake.AccountId);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Admin:Token"] = "tadm_stripe-api-tests",
            ["Stripe:BaseAddress"] = fake.BaseAddress,
            ["Stripe:MaxNetworkRetries"] = "0",
        });
        builder.Services.AddTallyServiceDefaults(builder.Configuration, new TallyPaths(dataDir));
        builder.Services.AddTallyLedger(builder.Configuration, dataDir);
        builder.Services.AddTallyStripe(builder.Configuration, dataDir);
        app = builder.Build();
        app.UseTallyServiceDefaults();
        app.MapTallyStripe();
        await app.StartAsync(Ct);
        http.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        var tenants = app.Services.GetRequiredService<ITenantStore>();
        acme = (await tenants.CreateAsync("Acme", Ct)).ApiKey;
        globex = (await tenants.CreateAsync("Globex", Ct)).ApiKey;
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await app.DisposeAsync();
        await fake.DisposeAsync();
        Directory.Delete(dataDir, recursive: true);
    }

    [Theory]
    [InlineData("pk_test_publishable0000")]
    [InlineData("sk_test_short")]
    [InlineData("")]
    public async Task Install_NotASecretKey_400NamingApiKeyWithoutAskingStripe(string apiKey)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/v1/marketplace/listings/stripe/install/apikey", acme, new { apiKey });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("apiKey", body.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task Install_KeyStripeRefuses_400NamingApiKeyAndStoresNothing()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/v1/marketplace/listings/stripe/install/apikey", acme, new { apiKey = "sk_live_RevokedOrUnknownKey01" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(
            "apiKey: was refused by Stripe (unauthorized); check that the key is current and not revoked.",
            body.GetProperty("detail").GetString());
        Assert.Equal(0, (await SendAsync(HttpMethod.Get, "/api/v1/apps", acme)).Body.GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task Install_ValidKey_AnswersTheAppWithTheKeyOnlyMasked()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/v1/marketplace/listings/stripe/install/apikey", acme, new { apiKey = StripeFake.ApiKey, name = "Stripe EU" });

        Assert.Equal(HttpStatusCode.OK, status);
        var installed = body.GetProperty("app");
        Assert.Equal(
            ("stripe", "Stripe EU", "ready", "acct_fake000001", false, "sk_test_***0001", "stripe"),
            (installed.GetProperty("type").GetString(), installed.GetProperty("name").GetString(), installed.GetProperty("status").GetString(),
             installed.GetProperty("stripeAccountId").GetString(), installed.GetProperty("livemode").GetBoolean(), installed.GetProperty("maskedAPIKey").GetString(),
             installed.GetProperty("listing").GetProperty("type").GetString()));
        Assert.Equal(["invoiceCustomers", "collectPayments"], body.GetProperty("defaultForCapabilityTypes").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("TallyFakeDefaultKey", body.GetRawText(), StringComparison.Ordinal);
        var stored = await app.Services.GetRequiredService<IPaymentAppStore>().GetAsync(TenantOf(acme), installed.GetProperty("id").GetString()!, Ct);
        Assert.StartsWith("v1.", stored!.SealedApiKey, StringComparison.Ordinal);
        Assert.DoesNotContain("TallyFakeDefaultKey", stored.SealedApiKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_Twice_409NamingType()
    {
        var id = await InstallAsync(acme);

        var (status, body) = await SendAsync(HttpMethod.Post, "/api/v1/marketplace/listings/stripe/install/apikey", acme, new { apiKey = StripeFake.ApiKey });

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal($"type: a Stripe app is already installed ({id}); rotate its key with PUT /api/v1/apps/{id} or uninstall it first.", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Apps_OfAnotherTenant_AreInvisibleAndUntouchable()
    {
        var id = await InstallAsync(acme);

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/v1/apps/{id}", globex)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Put, $"/api/v1/apps/{id}", globex, new { type = "stripe", name = "mine", secretAPIKey = OtherAccountKey })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Delete, $"/api/v1/apps/{id}", globex)).Status);
        var (_, theirs) = await SendAsync(HttpMethod.Get, "/api/v1/apps", globex);
        var (_, ours) = await SendAsync(HttpMethod.Get, "/api/v1/apps", acme);
        Assert.Equal((0, 0), (theirs.GetProperty("totalCount").GetInt32(), theirs.GetProperty("items").GetArrayLength()));
        Assert.Equal((1, 1, 100, id), (ours.GetProperty("totalCount").GetInt32(), ours.GetProperty("page").GetInt32(), ours.GetProperty("pageSize").GetInt32(), ours.GetProperty("items")[0].GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Replace_WithKeyOfAnotherAccount_400NamingSecretAPIKeyAndKeepsTheOldKey()
    {
        var id = await InstallAsync(acme);

        var (status, body) = await SendAsync(HttpMethod.Put, $"/api/v1/apps/{id}", acme, new { type = "stripe", name = "Stripe", secretAPIKey = OtherAccountKey });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(
            "secretAPIKey: opens Stripe account acct_fake000002 (test mode), but this app is for acct_fake000001 (test mode); install another app for another account.",
            body.GetProperty("detail").GetString());
        Assert.Equal("sk_test_***0001", (await SendAsync(HttpMethod.Get, $"/api/v1/apps/{id}", acme)).Body.GetProperty("maskedAPIKey").GetString());
    }

    [Fact]
    public async Task Replace_WithRolledKeyOfTheSameAccount_RotatesTheKeyAndRenames()
    {
        var id = await InstallAsync(acme);

        var (status, body) = await SendAsync(HttpMethod.Put, $"/api/v1/apps/{id}", acme, new { type = "stripe", name = "Renamed", description = "EU", secretAPIKey = RolledKey });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("Renamed", "EU", "sk_test_***unt9"), (body.GetProperty("name").GetString(), body.GetProperty("description").GetString(), body.GetProperty("maskedAPIKey").GetString()));
        fake.RevokeKey(StripeFake.ApiKey);
        var payments = app.Services.GetRequiredService<IPaymentProcessor>();
        var customer = await CustomerAsync(acme, "alice");
        var receipt = await payments.PushAsync(StripeTestbed.Invoice(TenantOf(acme), new PaymentCustomer(customer.Id, "alice", "alice", null)), Ct);
        Assert.Equal("in_fake000001", receipt.ExternalId);
    }

    [Fact]
    public async Task DeprecatedKeyUpdate_204AndRotates()
    {
        var id = await InstallAsync(acme);

        var (status, _) = await SendAsync(HttpMethod.Put, $"/api/v1/apps/{id}/stripe/api-key", acme, new { secretAPIKey = RolledKey });

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal("sk_test_***unt9", (await SendAsync(HttpMethod.Get, $"/api/v1/apps/{id}", acme)).Body.GetProperty("maskedAPIKey").GetString());
    }

    [Fact]
    public async Task Uninstall_Then_GetIs404AndTheTenantIsNotConnected()
    {
        var id = await InstallAsync(acme);

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, $"/api/v1/apps/{id}", acme)).Status);

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/v1/apps/{id}", acme)).Status);
        Assert.False(await app.Services.GetRequiredService<IPaymentProcessor>().IsConnectedAsync(TenantOf(acme), Ct));
    }

    [Fact]
    public async Task Marketplace_ListsStripeOnly()
    {
        var (_, list) = await SendAsync(HttpMethod.Get, "/api/v1/marketplace/listings", acme);
        var (status, stripe) = await SendAsync(HttpMethod.Get, "/api/v1/marketplace/listings/stripe", acme);

        Assert.Equal((1, "stripe"), (list.GetProperty("totalCount").GetInt32(), list.GetProperty("items")[0].GetProperty("type").GetString()));
        Assert.Equal((HttpStatusCode.OK, "with_api_key"), (status, stripe.GetProperty("installMethods")[0].GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/api/v1/marketplace/listings/sandbox", acme)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Get, "/api/v1/apps?pageSize=1001", acme)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/api/v1/apps", "tly_not-a-key")).Status);
    }

    [Fact]
    public async Task CustomerStripe_LinkValidatedInStripe_ThenAnsweredAndUsedAsItIs()
    {
        await CustomerAsync(acme, "alice");
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Get, "/api/v1/customers/alice/stripe", acme)).Status);
        await InstallAsync(acme);
        var existing = await new global::Stripe.CustomerService(new global::Stripe.StripeClient(StripeFake.ApiKey, apiBase: fake.BaseAddress))
            .CreateAsync(new global::Stripe.CustomerCreateOptions { Name = "Alice" }, cancellationToken: Ct);
        var paymentMethod = fake.AddPaymentMethod(existing.Id);
        var strangersMethod = fake.AddPaymentMethod("cus_someoneelse");

        var unknown = await SendAsync(HttpMethod.Put, "/api/v1/customers/alice/stripe", acme, new { stripeCustomerId = "cus_missing" });
        var foreignMethod = await SendAsync(HttpMethod.Put, "/api/v1/customers/alice/stripe", acme, new { stripeCustomerId = existing.Id, stripeDefaultPaymentMethodId = strangersMethod });
        var notLinked = await SendAsync(HttpMethod.Get, "/api/v1/customers/alice/stripe", acme);
        var (status, linked) = await SendAsync(HttpMethod.Put, "/api/v1/customers/alice/stripe", acme, new { stripeCustomerId = existing.Id, stripeDefaultPaymentMethodId = paymentMethod });
        var (_, read) = await SendAsync(HttpMethod.Get, "/api/v1/customers/alice/stripe", acme);

        Assert.Equal((HttpStatusCode.BadRequest, "stripeCustomerId"), (unknown.Status, unknown.Body.GetProperty("errors")[0].GetProperty("field").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "stripeDefaultPaymentMethodId"), (foreignMethod.Status, foreignMethod.Body.GetProperty("errors")[0].GetProperty("field").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, notLinked.Status);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("stripe", existing.Id, paymentMethod), (read.GetProperty("type").GetString(), read.GetProperty("stripeCustomerId").GetString(), read.GetProperty("stripeDefaultPaymentMethodId").GetString()));
        Assert.Equal(linked.GetRawText(), read.GetRawText());
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/api/v1/customers/alice/stripe", globex)).Status);
    }

    private async Task<string> InstallAsync(string bearer)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/v1/marketplace/listings/stripe/install/apikey", bearer, new { apiKey = StripeFake.ApiKey });
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("app").GetProperty("id").GetString()!;
    }

    private async Task<Customer> CustomerAsync(string bearer, string key)
    {
        var customer = new Customer(TenantOf(bearer), Ids.New("cus"), key, key, [key], Currency.Usd, DateTimeOffset.UtcNow);
        await app.Services.GetRequiredService<ICustomerStore>().CreateAsync(customer, Ct);
        return customer;
    }

    private string TenantOf(string apiKey) =>
        app.Services.GetRequiredService<ITenantStore>().FindByApiKeyAsync(apiKey, Ct).GetAwaiter().GetResult()!.Id;

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string bearer, object? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : JsonContent.Create(json) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length > 0 && text[0] == '{' ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }
}
