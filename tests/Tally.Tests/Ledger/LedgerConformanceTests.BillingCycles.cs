using Tally.Billing.Closing;
using Xunit;

namespace Tally.Tests.Ledger;

/// <summary>The billing-cycle part of the ledger contract: a customer's time zone, a subscription's billing anchor, the subscriptions off the UTC calendar month, new customers added to an open run.</summary>
public abstract partial class LedgerConformanceTests
{
    [Fact]
    public async Task CustomerTimeZoneAndSubscriptionAnchor_CreateAndUpdate_RoundTripAndDefaultToUtcAndNone()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var berlin = LedgerScenario.Customer(tenant, "berlin", "b1") with { TimeZone = "Europe/Berlin" };
        var plain = LedgerScenario.Customer(tenant, "plain", "p1");
        await Ledger.Customers.CreateAsync(berlin, Ct);
        await Ledger.Customers.CreateAsync(plain, Ct);
        var plan = LedgerScenario.Plan(tenant, "pro", 0.1m, 0.2m);
        await Ledger.Plans.CreateAsync(plan, Ct);
        var anchored = LedgerScenario.Subscription(tenant, berlin.Id, plan, October) with { BillingAnchor = new DateTimeOffset(2026, 1, 31, 9, 30, 0, TimeSpan.Zero) };
        var calendar = LedgerScenario.Subscription(tenant, plain.Id, plan, October);
        await Ledger.Subscriptions.CreateAsync(anchored, [], null, Ct);
        await Ledger.Subscriptions.CreateAsync(calendar, [], null, Ct);

        var moved = plain with { TimeZone = "Asia/Kathmandu", UpdatedAt = TestLedger.Now.AddMinutes(1) };
        await Ledger.Customers.UpdateAsync(moved, Ct);

        Assert.Equal(("Europe/Berlin", "UTC"), ((await Ledger.Customers.GetAsync(tenant, "berlin", Ct))!.TimeZone, plain.TimeZone));
        Assert.Equal(moved, await Ledger.Customers.GetAsync(tenant, plain.Id, Ct));
        Assert.Equal([anchored, calendar], (await Ledger.Subscriptions.ListInForceAsync(tenant, October, October.AddMonths(1), Ct)).OrderBy(s => s.Id == calendar.Id));
        Assert.Equal(anchored.BillingAnchor, (await Ledger.Subscriptions.GetAsync(tenant, anchored.Id, Ct))!.BillingAnchor);
    }

    [Fact]
    public async Task ListOffCalendar_AnchoredOrZonedSubscriptions_ListsThemWithTheZoneAndLeavesOutUtcCalendarEndedAndOtherTenants()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var other = await LedgerScenario.TenantAsync(Ledger, "Globex");
        var plan = LedgerScenario.Plan(tenant, "pro", 0.1m, 0.2m);
        var foreignPlan = LedgerScenario.Plan(other, "pro", 0.1m, 0.2m);
        await Ledger.Plans.CreateAsync(plan, Ct);
        await Ledger.Plans.CreateAsync(foreignPlan, Ct);
        async Task<string> SubscribeAsync(string tenantId, Tally.Billing.Catalog.Plan on, string key, string zone, DateTimeOffset? anchor, DateTimeOffset? ended = null)
        {
            var customer = LedgerScenario.Customer(tenantId, key, key) with { TimeZone = zone };
            await Ledger.Customers.CreateAsync(customer, Ct);
            var subscription = LedgerScenario.Subscription(tenantId, customer.Id, on, October.AddMonths(-3), ended) with { BillingAnchor = anchor };
            await Ledger.Subscriptions.CreateAsync(subscription, [], null, Ct);
            return subscription.Id;
        }

        var anchoredUtc = await SubscribeAsync(tenant, plan, "anchored", "UTC", October.AddDays(14));
        var zoned = await SubscribeAsync(tenant, plan, "zoned", "America/New_York", null);
        await SubscribeAsync(tenant, plan, "calendar", "UTC", null);
        await SubscribeAsync(tenant, plan, "ended", "Europe/Berlin", null, October.AddDays(-1));
        await SubscribeAsync(other, foreignPlan, "foreign", "Europe/Berlin", null);

        var found = await Ledger.Subscriptions.ListOffCalendarAsync(tenant, October, October.AddMonths(1), Ct);

        Assert.Equal(
            new[] { (anchoredUtc, "UTC"), (zoned, "America/New_York") }.OrderBy(x => x.Item1, StringComparer.Ordinal),
            found.Select(f => (f.Subscription.Id, f.TimeZone)).OrderBy(x => x.Item1, StringComparer.Ordinal));
    }

    [Fact]
    public async Task AddNewCustomers_CustomersCreatedSinceTheRun_AddsEachOnceWithAHistoryEntryAndLeavesOutOlderDeletedAndOtherTenants()
    {
        var tenant = await LedgerScenario.TenantAsync(Ledger, "Acme");
        var other = await LedgerScenario.TenantAsync(Ledger, "Globex");
        var old = await LedgerScenario.CustomerAsync(Ledger, tenant, "old");
        var run = await LedgerScenario.RunAsync(Ledger, tenant, LedgerScenario.November, [old]);
        var later = TestLedger.Now.AddHours(2);
        Tally.Billing.Customers.Customer New(string tenantId, string key) => LedgerScenario.Customer(tenantId, key, key) with { CreatedAt = later, UpdatedAt = later };
        var fresh = New(tenant, "fresh");
        var gone = New(tenant, "gone");
        await Ledger.Customers.CreateAsync(fresh, Ct);
        await Ledger.Customers.CreateAsync(gone, Ct);
        await Ledger.Customers.DeleteAsync(tenant, gone.Id, later, Ct);
        await Ledger.Customers.CreateAsync(New(other, "foreign"), Ct);

        var added = await Ledger.CloseRuns.AddNewCustomersAsync(run, later.AddHours(1), later, Ct);
        var again = await Ledger.CloseRuns.AddNewCustomersAsync(run, later.AddHours(1), later, Ct);

        Assert.Equal((1, 0), (added, again));
        var tasks = await Ledger.CloseRuns.TasksAsync(tenant, run.Id, Ct);
        Assert.Equal(
            new[] { (old, CloseStep.Freeze, TestLedger.Now), (fresh.Id, CloseStep.Freeze, later.AddHours(1)) }.OrderBy(t => t.Item1, StringComparer.Ordinal),
            tasks.Select(t => (t.CustomerId, t.Step, t.NextAttemptAt)));
        Assert.Equal(
            [("created", (string?)null), ("customers added", """{"customers":1}""")],
            (await Ledger.CloseRuns.HistoryAsync(tenant, run.Id, null, Ct)).Where(h => h.CustomerId is null).Select(h => (h.Outcome, h.Outcome == "created" ? null : h.Detail)));
        Assert.Equal(2, (await Ledger.CloseRuns.GetAsync(tenant, run.Id, Ct))!.Progress.Total);
    }
}
