using System.Data.Common;
using Tally.Billing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.EventLog.Embedded;
using Tally.Ledger;
using Xunit;

namespace Tally.Tests.Ledger;

public abstract partial class LedgerConformanceTests
{
    [Fact]
    public async Task CreateOnce_FirstCall_StoresInvoiceWithFirstNumber()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var draft = LedgerScenario.Draft(tenant, customer, LedgerScenario.November);

        var (invoice, created) = await Ledger.Invoices.CreateOnceAsync(draft, Ct);

        Assert.True(created);
        Assert.Equal(draft with { Number = "2026-11-0001", Lines = invoice.Lines }, invoice);
        Assert.Equal(draft.Lines, invoice.Lines);
        Assert.Equal(invoice with { Lines = invoice.Lines }, await Ledger.Invoices.GetAsync(tenant, draft.Id, Ct) is { } read ? read with { Lines = invoice.Lines } : null);
    }

    [Fact]
    public async Task CreateOnce_SecondCallSamePeriod_ReturnsExistingWithoutDuplicatingLines()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var (first, _) = await Ledger.Invoices.CreateOnceAsync(LedgerScenario.Draft(tenant, customer, LedgerScenario.November), Ct);

        var (second, created) = await Ledger.Invoices.CreateOnceAsync(LedgerScenario.Draft(tenant, customer, LedgerScenario.November), Ct);

        Assert.False(created);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal("2026-11-0001", second.Number);
        Assert.Equal(first.Lines, second.Lines);
        Assert.Equal(2, await LedgerScenario.CountAsync(Ledger, "invoice_lines"));
        Assert.Single(await Ledger.Invoices.ListAsync(tenant, customer, Ct));
    }

    [Fact]
    public async Task CreateOnce_EightConcurrentCalls_CreateExactlyOneInvoice()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var second = await SecondLedgerAsync();
        using var start = new ManualResetEventSlim();

        // Half the callers go through a second ledger instance, as a second invoicer process would.
        var calls = Enumerable.Range(0, 8).Select(i => Task.Run(
            async () =>
            {
                start.Wait(Ct);
                var store = i % 2 == 0 ? Ledger.Invoices : second.Invoices;
                return await store.CreateOnceAsync(LedgerScenario.Draft(tenant, customer, LedgerScenario.November), Ct);
            },
            Ct)).ToArray();
        start.Set();
        var results = await Task.WhenAll(calls);

        var winner = Assert.Single(results, r => r.Created);
        Assert.All(results, r => Assert.Equal(winner.Invoice.Id, r.Invoice.Id));
        Assert.All(results, r => Assert.Equal("2026-11-0001", r.Invoice.Number));
        Assert.Single(await Ledger.Invoices.ListAsync(tenant, null, Ct));
        Assert.Equal(2, await LedgerScenario.CountAsync(Ledger, "invoice_lines"));
    }

    [Fact]
    public async Task CreateOnce_SeveralCustomersAndPeriods_NumbersPerTenantAndPeriod()
    {
        var acme = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var globex = await LedgerScenario.TenantAsync(Ledger, "Globex");
        var alice = await LedgerScenario.CustomerAsync(Ledger, acme, "alice");
        var bob = await LedgerScenario.CustomerAsync(Ledger, acme, "bob");
        var carol = await LedgerScenario.CustomerAsync(Ledger, globex, "carol");
        var december = new BillingPeriod(2026, 12);

        var numbers = new List<string>();
        foreach (var (tenant, customer, period) in new[] { (acme, alice, LedgerScenario.November), (acme, bob, LedgerScenario.November), (acme, alice, december), (globex, carol, LedgerScenario.November), (acme, bob, december) })
        {
            numbers.Add((await Ledger.Invoices.CreateOnceAsync(LedgerScenario.Draft(tenant, customer, period), Ct)).Invoice.Number);
        }

        Assert.Equal(["2026-11-0001", "2026-11-0002", "2026-12-0001", "2026-11-0001", "2026-12-0002"], numbers);
        Assert.Equal(
            ["2026-12-0002", "2026-12-0001", "2026-11-0002", "2026-11-0001"],
            (await Ledger.Invoices.ListAsync(acme, null, Ct)).Select(i => i.Number));
        Assert.Equal(["2026-12-0002", "2026-11-0002"], (await Ledger.Invoices.ListAsync(acme, bob, Ct)).Select(i => i.Number));
    }

    [Fact]
    public async Task MarkPushed_ExistingInvoice_SetsStatusAndExternalId()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var customer = await LedgerScenario.CustomerAsync(Ledger, tenant, "alice");
        var (invoice, _) = await Ledger.Invoices.CreateOnceAsync(LedgerScenario.Draft(tenant, customer, LedgerScenario.November), Ct);

        await Ledger.Invoices.MarkPushedAsync(tenant, invoice.Id, "in_1QXyz", Ct);
        var pushed = await Ledger.Invoices.GetAsync(tenant, invoice.Id, Ct);

        Assert.NotNull(pushed);
        Assert.Equal(InvoiceStatus.Pushed, pushed.Status);
        Assert.Equal("in_1QXyz", pushed.ExternalId);
        Assert.Equal(invoice.Number, pushed.Number);
    }

    [Fact]
    public async Task OtherTenant_ByIdOrKey_CannotReadOrChangeRows()
    {
        var owner = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var intruder = await LedgerScenario.TenantAsync(Ledger, "Globex");
        var meter = LedgerScenario.Meter(owner, "tokens");
        await Ledger.Meters.CreateAsync(meter, Ct);
        var (customer, plan) = await LedgerScenario.CustomerWithPlanAsync(Ledger, owner);
        var (invoice, _) = await Ledger.Invoices.CreateOnceAsync(LedgerScenario.Draft(owner, customer, LedgerScenario.November), Ct);

        Assert.Null(await Ledger.Meters.GetAsync(intruder, meter.Id, Ct));
        Assert.Null(await Ledger.Meters.GetAsync(intruder, "tokens", Ct));
        Assert.Empty(await Ledger.Meters.ListAsync(intruder, Ct));
        Assert.False(await Ledger.Meters.DeleteAsync(intruder, meter.Id, Ct));
        Assert.False(await Ledger.Meters.DeleteAsync(intruder, "tokens", Ct));
        Assert.Null(await Ledger.Plans.GetAsync(intruder, plan.Id, Ct));
        Assert.Empty(await Ledger.Plans.VersionsAsync(intruder, "pro_alice", Ct));
        Assert.Empty(await Ledger.Plans.ListAsync(intruder, Ct));
        Assert.Null(await Ledger.Customers.GetAsync(intruder, customer, Ct));
        Assert.Null(await Ledger.Customers.GetAsync(intruder, "alice", Ct));
        Assert.Empty(await Ledger.Customers.ListAsync(intruder, Ct));
        Assert.Null(await Ledger.Invoices.GetAsync(intruder, invoice.Id, Ct));
        Assert.Empty(await Ledger.Invoices.ListAsync(intruder, null, Ct));
        Assert.Empty(await Ledger.Invoices.ListAsync(intruder, customer, Ct));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Ledger.Invoices.MarkPushedAsync(intruder, invoice.Id, "in_evil", Ct));

        // Rows reference their parents by (tenant, id), so another tenant's ids are unknown keys to the schema.
        await Assert.ThrowsAnyAsync<DbException>(() => Ledger.Subscriptions.CreateAsync(
            LedgerScenario.Subscription(intruder, customer, plan, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)), [], null, Ct));
        await Assert.ThrowsAnyAsync<DbException>(() => Ledger.Invoices.CreateOnceAsync(LedgerScenario.Draft(intruder, customer, new BillingPeriod(2026, 12)), Ct));
        Assert.Equal(1, await LedgerScenario.CountAsync(Ledger, "invoices"));
        Assert.Equal(0, await LedgerScenario.CountAsync(Ledger, "plan_subscriptions"));

        Assert.Equal(meter, (await Ledger.Meters.GetAsync(owner, "tokens", Ct)) is { } kept ? kept with { GroupBy = meter.GroupBy } : null);
        Assert.Equal(InvoiceStatus.Issued, (await Ledger.Invoices.GetAsync(owner, invoice.Id, Ct))!.Status);
    }

    [Fact]
    public async Task Migrate_RunTwiceAndByAnotherInstance_IsHarmless()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var second = await SecondLedgerAsync();

        await Ledger.Database.MigrateAsync(Ct);
        await second.Database.MigrateAsync(Ct);
        await second.Database.MigrateAsync(Ct);

        Assert.Equal(LedgerMigrations.All.Count, await LedgerScenario.CountAsync(second, "schema_migrations"));
        Assert.Equal(tenant, (await second.Tenants.GetAsync(tenant, Ct))?.Id);
    }

    [Fact]
    public async Task TwoInstances_OneDatabase_SeeEachOthersWrites()
    {
        var second = await SecondLedgerAsync();
        var (tenant, apiKey) = await Ledger.Tenants.CreateAsync("Acme", Ct);
        await second.Meters.CreateAsync(LedgerScenario.Meter(tenant.Id, "tokens"), Ct);

        Assert.Equal(tenant, await second.Tenants.FindByApiKeyAsync(apiKey, Ct));
        Assert.Equal("tokens", (await Ledger.Meters.GetAsync(tenant.Id, "tokens", Ct))?.Slug);
        var conflict = await Assert.ThrowsAsync<Tally.Billing.LedgerConflictException>(
            () => Ledger.Meters.CreateAsync(LedgerScenario.Meter(tenant.Id, "tokens"), Ct));
        Assert.Equal("slug", conflict.Field);
    }
}
