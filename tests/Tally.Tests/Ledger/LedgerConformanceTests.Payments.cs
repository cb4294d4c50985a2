using Tally.Billing;
using Tally.Billing.Payments;

namespace Tally.Tests.Ledger;

public abstract partial class LedgerConformanceTests
{
    private const string Account = "acct_1Tally:test";

    [Fact]
    public async Task PaymentAppCreate_Always_RoundTripsEveryField()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var app = StripeApp(tenant) with
        {
            Description = "EU entity",
            Metadata = new Dictionary<string, string> { ["team"] = "finance" },
            UpdatedAt = TestLedger.Now.AddHours(1),
        };

        await Ledger.PaymentApps.CreateAsync(app, Ct);
        var byId = await Ledger.PaymentApps.GetAsync(tenant, app.Id, Ct);
        var byType = await Ledger.PaymentApps.FindByTypeAsync(tenant, "stripe", Ct);

        Assert.NotNull(byId);
        Assert.Equal(app.Metadata, byId.Metadata);
        Assert.Equal(app with { Metadata = byId.Metadata }, byId);
        Assert.Equal(byId with { Metadata = byType!.Metadata }, byType);
        Assert.Equal("acct_1Tally:test", byId.AccountNamespace);
    }

    [Fact]
    public async Task PaymentAppCreate_SecondOfSameType_ThrowsConflictOnType()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var other = await LedgerScenario.TenantAsync(Ledger, "Globex");
        await Ledger.PaymentApps.CreateAsync(StripeApp(tenant), Ct);

        var conflict = await Assert.ThrowsAsync<LedgerConflictException>(() => Ledger.PaymentApps.CreateAsync(StripeApp(tenant), Ct));
        await Ledger.PaymentApps.CreateAsync(StripeApp(other), Ct);

        Assert.Equal("type", conflict.Field);
        Assert.Equal(1, (await Ledger.PaymentApps.ListAsync(tenant, 1, 10, Ct)).TotalCount);
    }

    [Fact]
    public async Task PaymentAppGet_AnotherTenantsApp_ReturnsNothing()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var other = await LedgerScenario.TenantAsync(Ledger, "Globex");
        var app = StripeApp(tenant);
        await Ledger.PaymentApps.CreateAsync(app, Ct);

        Assert.Null(await Ledger.PaymentApps.GetAsync(other, app.Id, Ct));
        Assert.Null(await Ledger.PaymentApps.FindByTypeAsync(other, "stripe", Ct));
        var (items, total) = await Ledger.PaymentApps.ListAsync(other, 1, 10, Ct);
        Assert.Equal((0, 0), (items.Count, total));
        Assert.False(await Ledger.PaymentApps.UpdateAsync(app with { TenantId = other, Name = "stolen" }, Ct));
        Assert.False(await Ledger.PaymentApps.DeleteAsync(other, app.Id, Ct));
        Assert.Equal("Stripe", (await Ledger.PaymentApps.GetAsync(tenant, app.Id, Ct))!.Name);
    }

    [Fact]
    public async Task PaymentAppList_PageTwoOfOne_ReturnsTotalAndNoItems()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var app = StripeApp(tenant);
        await Ledger.PaymentApps.CreateAsync(app, Ct);

        var (first, firstTotal) = await Ledger.PaymentApps.ListAsync(tenant, 1, 1, Ct);
        var (second, secondTotal) = await Ledger.PaymentApps.ListAsync(tenant, 2, 1, Ct);

        Assert.Equal([app.Id], first.Select(a => a.Id));
        Assert.Equal((1, 0, 1), (firstTotal, second.Count, secondTotal));
    }

    [Fact]
    public async Task PaymentAppUpdate_RotatedKey_ReplacesKeyStatusAndKeepsCreatedAt()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var app = StripeApp(tenant) with { Status = PaymentAppStatus.Unauthorized };
        await Ledger.PaymentApps.CreateAsync(app, Ct);
        var rotated = app with
        {
            Name = "Stripe EU",
            MaskedApiKey = "sk_test_***new1",
            SealedApiKey = "v1.sealed-new",
            Status = PaymentAppStatus.Ready,
            UpdatedAt = TestLedger.Now.AddDays(1),
            CreatedAt = TestLedger.Now.AddYears(-1),
        };

        Assert.True(await Ledger.PaymentApps.UpdateAsync(rotated, Ct));

        Assert.Equal(rotated with { CreatedAt = app.CreatedAt }, await Ledger.PaymentApps.GetAsync(tenant, app.Id, Ct));
    }

    [Fact]
    public async Task PaymentAppDelete_WithLinkedCustomer_RemovesAppAndLinkButKeepsObjectIds()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var app = StripeApp(tenant);
        await Ledger.PaymentApps.CreateAsync(app, Ct);
        await Ledger.PaymentApps.UpsertLinkAsync(new CustomerPaymentLink(tenant, app.Id, customer, "cus_Stripe1", null, TestLedger.Now), Ct);
        await Ledger.PaymentObjects.RecordAsync(tenant, Account, new Dictionary<string, string> { ["customers/x"] = "cus_Stripe2" }, TestLedger.Now, Ct);

        Assert.True(await Ledger.PaymentApps.DeleteAsync(tenant, app.Id, Ct));

        Assert.Null(await Ledger.PaymentApps.GetAsync(tenant, app.Id, Ct));
        Assert.Null(await Ledger.PaymentApps.GetLinkAsync(tenant, app.Id, customer, Ct));
        Assert.Equal(0, await LedgerScenario.CountAsync(Ledger, "customer_payment_links"));
        Assert.Equal("cus_Stripe2", (await Ledger.PaymentObjects.FindAsync(tenant, Account, ["customers/x"], Ct))["customers/x"].ExternalId);
    }

    [Fact]
    public async Task UpsertLink_Twice_KeepsTheLatest()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var app = StripeApp(tenant);
        await Ledger.PaymentApps.CreateAsync(app, Ct);

        await Ledger.PaymentApps.UpsertLinkAsync(new CustomerPaymentLink(tenant, app.Id, customer, "cus_Old", "pm_Old", TestLedger.Now), Ct);
        await Ledger.PaymentApps.UpsertLinkAsync(new CustomerPaymentLink(tenant, app.Id, customer, "cus_New", null, TestLedger.Now.AddMinutes(5)), Ct);

        Assert.Equal(
            new CustomerPaymentLink(tenant, app.Id, customer, "cus_New", null, TestLedger.Now.AddMinutes(5)),
            await Ledger.PaymentApps.GetLinkAsync(tenant, app.Id, customer, Ct));
    }

    [Fact]
    public async Task PaymentObjects_AttemptThenRecord_ReportsUnknownThenTheId()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var attemptedAt = TestLedger.Now.AddMinutes(-3);

        await Ledger.PaymentObjects.MarkAttemptedAsync(tenant, Account, ["customers/cus_1", "customers/cus_2"], attemptedAt, Ct);
        var attempted = await Ledger.PaymentObjects.FindAsync(tenant, Account, ["customers/cus_1", "customers/cus_2", "customers/cus_3"], Ct);
        await Ledger.PaymentObjects.RecordAsync(tenant, Account, new Dictionary<string, string> { ["customers/cus_1"] = "cus_StripeA" }, TestLedger.Now, Ct);
        var recorded = await Ledger.PaymentObjects.FindAsync(tenant, Account, ["customers/cus_1", "customers/cus_2"], Ct);

        Assert.Equal(
            [new PaymentObjectState("customers/cus_1", null, attemptedAt), new PaymentObjectState("customers/cus_2", null, attemptedAt)],
            attempted.Values.OrderBy(state => state.Key, StringComparer.Ordinal));
        Assert.Equal(new PaymentObjectState("customers/cus_1", "cus_StripeA", attemptedAt), recorded["customers/cus_1"]);
        Assert.Null(recorded["customers/cus_2"].ExternalId);
    }

    [Fact]
    public async Task PaymentObjectsRecord_SecondIdForSameKey_KeepsTheFirst()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var key = "customers/cus_1/invoices/2026-10";
        await Ledger.PaymentObjects.MarkAttemptedAsync(tenant, Account, [key], TestLedger.Now, Ct);
        await Ledger.PaymentObjects.MarkAttemptedAsync(tenant, Account, [key], TestLedger.Now.AddHours(1), Ct);

        var first = await Ledger.PaymentObjects.RecordAsync(tenant, Account, new Dictionary<string, string> { [key] = "in_First" }, TestLedger.Now, Ct);
        var second = await Ledger.PaymentObjects.RecordAsync(tenant, Account, new Dictionary<string, string> { [key] = "in_Second", ["other"] = "in_Other" }, TestLedger.Now, Ct);

        Assert.Equal("in_First", first[key]);
        Assert.Equal(new Dictionary<string, string> { [key] = "in_First", ["other"] = "in_Other" }, second);
        Assert.Equal(TestLedger.Now, (await Ledger.PaymentObjects.FindAsync(tenant, Account, [key], Ct))[key].AttemptedAt);
    }

    [Fact]
    public async Task PaymentObjectsFind_OtherTenantOrAccount_FindsNothing()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var other = await LedgerScenario.TenantAsync(Ledger, "Globex");
        await Ledger.PaymentObjects.RecordAsync(tenant, Account, new Dictionary<string, string> { ["customers/cus_1"] = "cus_StripeA" }, TestLedger.Now, Ct);

        Assert.Empty(await Ledger.PaymentObjects.FindAsync(other, Account, ["customers/cus_1"], Ct));
        Assert.Empty(await Ledger.PaymentObjects.FindAsync(tenant, "acct_1Tally:live", ["customers/cus_1"], Ct));
        Assert.Empty(await Ledger.PaymentObjects.FindAsync(tenant, Account, [], Ct));
    }

    private static PaymentApp StripeApp(string tenantId) => new(
        tenantId,
        Ids.New("app"),
        PaymentApp.StripeType,
        "Stripe",
        null,
        null,
        "acct_1Tally",
        false,
        "sk_test_***abcd",
        "v1.sealed",
        PaymentAppStatus.Ready,
        TestLedger.Now,
        TestLedger.Now);
}
