using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Closing;
using Tally.Billing.Invoices;
using Tally.Billing.Payments;
using Tally.Billing.Pricing;
using Tally.Invoicer.Closing;
using Customer = Tally.Billing.Customers.Customer;
using Plan = Tally.Billing.Catalog.Plan;
using Subscription = Tally.Billing.Subscriptions.Subscription;

namespace Tally.Tests.Invoicer;

/// <summary>
/// The close of 2026-11 for customers off the calendar month in UTC, on plan "anchored" (31.00 a month in
/// advance, 0.005 per input token): olga anchored on the 31st in UTC ([31 Oct, 30 Nov)), kai on the
/// calendar month in Berlin ([31 Oct 23:00Z, 30 Nov 23:00Z)), nia on the calendar month in New York across
/// the end of DST ([1 Nov 04:00Z, 1 Dec 05:00Z)). Each has usage placed a minute either side of both
/// boundaries; only what lies inside is billed, and nobody is closed before their own period ended.
/// </summary>
public sealed partial class CloseWorkflowTests
{
    private static readonly DateTimeOffset OlgaAnchor = new(2026, 8, 31, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Close_AnniversaryAndZonedCustomers_EachClosedWhenItsOwnPeriodEndsWithExactlyTheUsageInside()
    {
        await StartAsync(October);
        await Worker().DrainAsync(Ct);
        var anchored = await AnchoredPlanAsync();
        var olga = await ZonedCustomerAsync("olga", "UTC", anchored, OlgaAnchor, OlgaAnchor);
        var kai = await ZonedCustomerAsync("kai", "Europe/Berlin", anchored, new(2026, 9, 15, 0, 0, 0, TimeSpan.Zero));
        var nia = await ZonedCustomerAsync("nia", "America/New_York", anchored, new(2026, 9, 15, 0, 0, 0, TimeSpan.Zero));
        PlaceAround(olga, new(2026, 10, 31, 0, 0, 0, TimeSpan.Zero), new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), 1_000m);
        PlaceAround(kai, new(2026, 10, 31, 23, 0, 0, TimeSpan.Zero), new(2026, 11, 30, 23, 0, 0, TimeSpan.Zero), 100m);
        PlaceAround(nia, new(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), new(2026, 12, 1, 5, 0, 0, TimeSpan.Zero), 10m);
        var scheduler = Scheduler();
        var worker = Worker();

        clock.SetUtcNow(new DateTimeOffset(2026, 11, 30, 0, 59, 0, TimeSpan.Zero));
        var withinOlgasGrace = await scheduler.RunOnceAsync(Ct);
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 30, 1, 0, 0, TimeSpan.Zero));
        var started = await scheduler.RunOnceAsync(Ct);
        await worker.DrainAsync(Ct);
        var afterOlgasEnd = await NovemberAsync();
        clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        await worker.DrainAsync(Ct);
        var afterKaisEnd = await NovemberAsync();
        clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 5, 59, 0, TimeSpan.Zero));
        await worker.DrainAsync(Ct);
        var beforeNiasGrace = await NovemberAsync();
        clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero));
        await worker.DrainAsync(Ct);

        Assert.Empty(withinOlgasGrace);
        var run = Assert.Single(started);
        Assert.Equal(("2026-11", "scheduler"), (run.Period.ToString(), run.RequestedBy));
        Assert.Equal([olga.Id], afterOlgasEnd.Select(i => i.CustomerId));
        Assert.Equal(new[] { olga.Id, kai.Id }.Order(StringComparer.Ordinal), afterKaisEnd.Select(i => i.CustomerId).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(nia.Id, beforeNiasGrace.Select(i => i.CustomerId));
        Assert.Contains(alice.Id, beforeNiasGrace.Select(i => i.CustomerId));
        var invoices = (await NovemberAsync()).ToDictionary(i => i.CustomerId);
        Assert.Equal(
            [
                (new DateTimeOffset(2026, 10, 31, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), 6_000m, 61.00m),
                (new DateTimeOffset(2026, 10, 31, 23, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero), 600m, 34.00m),
                (new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero), 60m, 31.30m),
            ],
            new[] { olga, kai, nia }.Select(c => invoices[c.Id]).Select(i => (i.PeriodFrom, i.PeriodTo, i.Lines.Single(l => l.RateCardKey == "input").Quantity, i.Total)));
        Assert.All(new[] { olga, kai, nia }, c => Assert.Equal(InvoiceStatus.Issued, invoices[c.Id].Status));
        Assert.Equal(
            ["waiting", "usage frozen", "rated", "checks passed", "approved automatically", "issued"],
            (await ledger.CloseRuns.HistoryAsync(tenantId, run.Id, kai.Id, Ct)).Where(h => h.CustomerId is not null).Select(h => h.Outcome));

        // The document key is the label for every customer, as it was for the calendar month: nothing pushed before is pushed again.
        Assert.Equal("2026-11", PaymentDocument.FromInvoice(invoices[olga.Id], olga).DocumentKey);
    }

    [Fact]
    public async Task Close_CustomerCreatedAfterTheRunStarted_IsAddedByTheSchedulerAndBilledForItsPartOfThePeriod()
    {
        await StartAsync(October);
        await Worker().DrainAsync(Ct);
        var anchored = await AnchoredPlanAsync();
        await ZonedCustomerAsync("olga", "UTC", anchored, OlgaAnchor, OlgaAnchor);
        var scheduler = Scheduler();
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 30, 1, 0, 0, TimeSpan.Zero));
        var run = Assert.Single(await scheduler.RunOnceAsync(Ct));

        // pia signs up at noon on 30 November: 12 of November's 720 hours, 31.00 x 12 / 720 = 0.52.
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var pia = await ZonedCustomerAsync("pia", "UTC", anchored, clock.GetUtcNow());
        var again = await scheduler.RunOnceAsync(Ct);
        clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero));
        await Worker().DrainAsync(Ct);

        Assert.Empty(again);
        Assert.Contains(pia.Id, (await ledger.CloseRuns.TasksAsync(tenantId, run.Id, Ct)).Select(t => t.CustomerId));
        Assert.Contains((await ledger.CloseRuns.HistoryAsync(tenantId, run.Id, null, Ct)).Where(h => h.CustomerId is null), h => h.Outcome == "customers added" && h.Detail == """{"customers":1}""");
        var invoice = (await NovemberAsync()).Single(i => i.CustomerId == pia.Id);
        Assert.Equal((new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero), November.To, 0.52m), (invoice.PeriodFrom, invoice.PeriodTo, invoice.Total));
    }

    private CloseScheduler Scheduler() =>
        new(ledger.Tenants, ledger.CloseRuns, ledger.Subscriptions, Starter(), Options.Create(options), clock, NullLogger<CloseScheduler>.Instance);

    private async Task<List<Invoice>> NovemberAsync() => [.. (await InvoicesAsync()).Where(i => i.Period == November)];

    /// <summary>A plan of 31.00 a month in advance plus 0.005 per input token.</summary>
    private async Task<Plan> AnchoredPlanAsync()
    {
        var anchored = new Plan(tenantId, Ids.NewUlid(clock.GetUtcNow()), "anchored", 1, "Anchored", Currency.Usd, IsoDuration.Month,
            [
                new PlanPhase("default", "Default", null,
                [
                    new RateCard(RateCardType.FlatFee, "base", "Base fee", null, IsoDuration.Month, new FlatPrice(31m, PaymentTerm.InAdvance)),
                    new RateCard(RateCardType.UsageBased, "input", "Input tokens", "input", IsoDuration.Month, new UnitPrice(0.005m)),
                ]),
            ],
            clock.GetUtcNow()) { EffectiveFrom = clock.GetUtcNow() };
        await ledger.Plans.CreateAsync(anchored, Ct);
        return anchored;
    }

    private async Task<Customer> ZonedCustomerAsync(string key, string zone, Plan subscribed, DateTimeOffset activeFrom, DateTimeOffset? billingAnchor = null)
    {
        var customer = new Customer(tenantId, Ids.New("cus"), key, key + " Inc.", [key], Currency.Usd, clock.GetUtcNow()) { TimeZone = zone };
        await ledger.Customers.CreateAsync(customer, Ct);
        await ledger.Subscriptions.CreateAsync(
            new Subscription(tenantId, Ids.New("sub"), customer.Id, subscribed.Id, subscribed.Key, subscribed.Version, subscribed.Name, subscribed.Currency, activeFrom, null, clock.GetUtcNow()) { BillingAnchor = billingAnchor },
            [],
            null,
            Ct);
        return customer;
    }

    /// <summary>Input tokens a minute before and at each boundary: q before the start, 2q at it, 4q a minute before the end, 8q at it; 6q lie inside.</summary>
    private void PlaceAround(Customer customer, DateTimeOffset from, DateTimeOffset to, decimal q)
    {
        usage.Place(input.Id, customer.Id, from.AddMinutes(-1), q);
        usage.Place(input.Id, customer.Id, from, 2 * q);
        usage.Place(input.Id, customer.Id, to.AddMinutes(-1), 4 * q);
        usage.Place(input.Id, customer.Id, to, 8 * q);
    }
}
