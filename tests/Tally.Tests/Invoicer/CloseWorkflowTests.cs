using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Meters;
using Tally.FakeStripe;
using Tally.Invoicer.Closing;
using Tally.Ledger;
using Tally.Rating;
using Tally.Stripe;
using Tally.Stripe.Apps;
using Tally.Tests.Invoicer.Fakes;
using Tally.Tests.Ledger;
using Customer = Tally.Billing.Customers.Customer;
using Plan = Tally.Billing.Catalog.Plan;
using Subscription = Tally.Billing.Subscriptions.Subscription;

namespace Tally.Tests.Invoicer;

/// <summary>
/// The period close workflow over a real SQLite ledger, with usage, the aggregator's watermark and the
/// clock in the test's hands. alice and bob subscribed before October 2026, carol never, dave from
/// 15 October 12:00. Prices: 0.005 per input token, 0.0025 per output token.
/// </summary>
public sealed partial class CloseWorkflowTests : IAsyncLifetime
{
    private static readonly BillingPeriod October = new(2026, 10);
    private static readonly BillingPeriod November = new(2026, 11);
    private static readonly DateTimeOffset DaveFrom = new(2026, 10, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly string directory = Directory.CreateTempSubdirectory("tally-close-").FullName;
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 10, 31, 23, 59, 59, TimeSpan.Zero));
    private readonly ManualWatermark watermark = new() { Reached = true };
    private readonly ReconciledRollups rollups = new();
    private readonly CloseOptions options = new() { GraceMinutes = 60, RetryBaseMilliseconds = 1_000, RetryMaxMilliseconds = 60_000, MaxAttempts = 3 };
    private FixedClosingUsage usage = null!;
    private TestLedger ledger = null!;
    private StripeFake? stripe;
    private string tenantId = "";
    private MeterDefinition input = null!;
    private MeterDefinition output = null!;
    private Plan plan = null!;
    private Customer alice = null!;
    private Customer bob = null!;
    private Customer carol = null!;
    private Customer dave = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        usage = new FixedClosingUsage(clock);
        ledger = new TestLedger(new SqliteDialect(Path.Combine(directory, "ledger.db")), clock);
        tenantId = await LedgerScenario.TenantAsync(ledger, "Acme");
        input = LedgerScenario.Meter(tenantId, "input-tokens");
        output = LedgerScenario.Meter(tenantId, "output-tokens");
        await ledger.Meters.CreateAsync(input, Ct);
        await ledger.Meters.CreateAsync(output, Ct);
        await ledger.Features.CreateAsync(LedgerScenario.Feature(tenantId, "input", "input-tokens"), Ct);
        await ledger.Features.CreateAsync(LedgerScenario.Feature(tenantId, "output", "output-tokens"), Ct);
        plan = LedgerScenario.Plan(tenantId, "pro", 0.005m, 0.0025m);
        await ledger.Plans.CreateAsync(plan, Ct);

        alice = await CustomerAsync("alice", "alice");
        bob = await CustomerAsync("bob", "bob", "bob-batch");
        carol = await CustomerAsync("carol", "carol");
        dave = await CustomerAsync("dave", "dave");
        var before = new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero);
        await SubscribeAsync(alice, plan, before);
        await SubscribeAsync(bob, plan, before);
        await SubscribeAsync(dave, plan, DaveFrom);

        // 1001 x 0.005 = 5.005 and 2002 x 0.0025 = 5.005: each line rounds up to 5.01, so the total is 10.02
        // where rounding the unrounded sum (10.01) would lose a cent.
        SetUsage(October, alice, 1_001m, 2_002m);
        SetUsage(October, bob, 200_000m, 10m);
        SetUsage(October, carol, 5_000m, 0m);
        SetUsage(October, dave, 100m, 0m);
    }

    public async ValueTask DisposeAsync()
    {
        if (stripe is not null)
        {
            await stripe.DisposeAsync();
        }

        await ledger.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Start_PeriodNotEnded_RefusesNamingWhenItEnds()
    {
        var refused = await Assert.ThrowsAsync<CloseRefusedException>(() => Starter().StartAsync(tenantId, October, CloseRunKind.Close, false, null, "test", Ct));

        Assert.Equal(("period", "Period 2026-10 ends at 2026-11-01T00:00:00Z; it can be closed after that."), (refused.Field, refused.Message));
        Assert.Empty(await ledger.CloseRuns.ListAsync(tenantId, null, Ct));
    }

    [Fact]
    public async Task Close_WaitsForGraceAndTheAggregatorThenIssuesOneInvoicePerSubscribedCustomerRoundedPerLine()
    {
        watermark.Reached = false;
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 1, 0, 5, 0, TimeSpan.Zero));
        var run = await Starter().StartAsync(tenantId, October, CloseRunKind.Close, false, null, "test", Ct);
        var worker = Worker();

        await worker.DrainAsync(Ct);
        var beforeGrace = await InvoicesAsync();
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 1, 1, 0, 0, TimeSpan.Zero));
        await worker.DrainAsync(Ct);
        var beforeWatermark = await InvoicesAsync();
        watermark.Reached = true;
        clock.Advance(TimeSpan.FromSeconds(1));
        await worker.DrainAsync(Ct);

        Assert.Empty(beforeGrace);
        Assert.Empty(beforeWatermark);
        var invoices = await InvoicesAsync();
        // Numbers follow the order the tasks were leased in: by customer id.
        var expected = new[] { (alice.Id, 10.02m), (bob.Id, 1_000.03m), (dave.Id, 0.50m) }.OrderBy(x => x.Item1, StringComparer.Ordinal).ToList();
        Assert.Equal(
            expected.Select((x, i) => ($"INV-00000{i + 1}", x.Item1, x.Item2, InvoiceStatus.Issued)),
            invoices.Select(i => (i.Number!, i.CustomerId, i.Total, i.Status)));
        var aliceInvoice = invoices.Single(i => i.CustomerId == alice.Id);
        Assert.Equal(
            [("input", "input-tokens", 1_001m, 0.005m, 5.01m), ("output", "output-tokens", 2_002m, 0.0025m, 5.01m)],
            aliceInvoice.Lines.Select(l => (l.RateCardKey!, l.MeterSlug!, l.Quantity, l.UnitPrice!.Value, l.Amount)));
        Assert.Equal([1_000.00m, 0.03m], invoices.Single(i => i.CustomerId == bob.Id).Lines.Select(l => l.Amount));
        Assert.Equal((October.From, October.To, clock.GetUtcNow()), (aliceInvoice.PeriodFrom, aliceInvoice.PeriodTo, aliceInvoice.UsageCutoff!.Value));
        Assert.Equal((CloseRunStatus.Completed, 4), ((await ledger.CloseRuns.GetAsync(tenantId, run.Id, Ct))!.Status, (await ledger.CloseRuns.GetAsync(tenantId, run.Id, Ct))!.Progress.Done));
        Assert.Equal(
            ["waiting", "waiting", "usage frozen", "rated", "checks passed", "approved automatically", "issued"],
            (await ledger.CloseRuns.HistoryAsync(tenantId, run.Id, alice.Id, Ct)).Where(h => h.CustomerId is not null).Select(h => h.Outcome));
    }

    [Fact]
    public async Task Close_SubscriptionStartsMidPeriod_FreezesUsageFromItsStart()
    {
        await StartAsync(October);

        await Worker().DrainAsync(Ct);

        Assert.Equal([(DaveFrom, October.To), (DaveFrom, October.To)], usage.Queries.Where(q => q.CustomerId == dave.Id).Select(q => (q.From, q.To)));
        Assert.Equal([(October.From, October.To), (October.From, October.To)], usage.Queries.Where(q => q.CustomerId == alice.Id).Select(q => (q.From, q.To)));
        Assert.DoesNotContain(usage.Queries, q => q.CustomerId == carol.Id);
        Assert.Equal([0.50m, 0.00m], (await InvoicesAsync()).Single(i => i.CustomerId == dave.Id).Lines.Select(l => l.Amount));
    }

    [Fact]
    public async Task Close_PeriodAlreadyClosed_SecondRunRefusedAndNothingIssuedTwice()
    {
        await StartAsync(October);
        await Worker().DrainAsync(Ct);

        var conflict = await Assert.ThrowsAsync<LedgerConflictException>(() => StartAsync(October));
        var scoped = await Starter().StartAsync(tenantId, October, CloseRunKind.Close, false, "alice", "test", Ct);
        await Worker().DrainAsync(Ct);

        Assert.Equal("period", conflict.Field);
        Assert.Equal(["INV-000001", "INV-000002", "INV-000003"], (await InvoicesAsync()).Select(i => i.Number));
        var task = Assert.Single(await ledger.CloseRuns.TasksAsync(tenantId, scoped.Id, Ct));
        Assert.Equal((CloseTaskState.Parked, CloseStep.Draft), (task.State, task.Step));
        Assert.Contains("already", task.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Close_TotalAboveApprovalThreshold_WaitsForAPersonThenIssuesWhenApprovedAndVoidsWhenRejected()
    {
        options.ApprovalAbove = 5m;
        var run = await StartAsync(October);
        var worker = Worker();
        await worker.DrainAsync(Ct);
        var waiting = await InvoicesAsync();

        await ledger.CloseRuns.SignalAsync(tenantId, run.Id, bob.Id, CloseSignal.Approve, "finance@acme", clock.GetUtcNow(), Ct);
        await ledger.CloseRuns.SignalAsync(tenantId, run.Id, alice.Id, CloseSignal.Reject, "finance@acme", clock.GetUtcNow(), Ct);
        await worker.DrainAsync(Ct);

        Assert.Equal(
            new[] { (alice.Id, InvoiceStatus.PendingApproval, (string?)null), (bob.Id, InvoiceStatus.PendingApproval, null), (dave.Id, InvoiceStatus.Issued, "INV-000001") }.OrderBy(x => x.Item1, StringComparer.Ordinal),
            waiting.OrderBy(i => i.CustomerId, StringComparer.Ordinal).Select(i => (i.CustomerId, i.Status, i.Number)));
        Assert.Equal(
            new[] { (alice.Id, InvoiceStatus.Voided, (string?)null, (string?)"finance@acme"), (bob.Id, InvoiceStatus.Issued, "INV-000002", "finance@acme"), (dave.Id, InvoiceStatus.Issued, "INV-000001", null) }.OrderBy(x => x.Item1, StringComparer.Ordinal),
            (await InvoicesAsync()).OrderBy(i => i.CustomerId, StringComparer.Ordinal).Select(i => (i.CustomerId, i.Status, i.Number, i.ReviewedBy)));
        Assert.Equal(CloseRunStatus.Completed, (await ledger.CloseRuns.GetAsync(tenantId, run.Id, Ct))!.Status);
    }

    [Fact]
    public async Task Close_RollupsDisagreeWithEvents_HoldsTheInvoiceForReviewWithTheFinding()
    {
        rollups.Drifted.Add("output-tokens");
        await StartAsync(October);

        await Worker().DrainAsync(Ct);

        var held = await InvoicesAsync();
        Assert.All(held, i => Assert.Equal(InvoiceStatus.PendingApproval, i.Status));
        Assert.Equal(["usage_unreconciled"], held[0].Issues.Select(i => i.Code));
        Assert.Equal(InvoiceIssue.Critical, held[0].Issues[0].Severity);
    }

    [Fact]
    public async Task Close_OneCustomersRatingOverflows_ParksItWithTheErrorAndIssuesTheOthers()
    {
        var erin = await OverflowingCustomerAsync();
        var run = await StartAsync(October);

        await Worker().DrainAsync(Ct);

        var parked = (await ledger.CloseRuns.TasksAsync(tenantId, run.Id, Ct)).Single(t => t.CustomerId == erin.Id);
        Assert.Equal((CloseStep.Draft, CloseTaskState.Parked, 1), (parked.Step, parked.State, parked.Attempts));
        Assert.StartsWith("RatingOverflowException:", parked.Error, StringComparison.Ordinal);
        Assert.Equal(new[] { alice.Id, bob.Id, dave.Id }.Order(StringComparer.Ordinal), (await InvoicesAsync()).Select(i => i.CustomerId).Order(StringComparer.Ordinal));
        Assert.Equal(CloseRunStatus.NeedsAttention, (await ledger.CloseRuns.GetAsync(tenantId, run.Id, Ct))!.Status);
    }

    [Fact]
    public async Task Close_UsageStoreFailsOnce_RetriesAfterTheBackoffAndRecordsTheFailure()
    {
        var run = await StartAsync(October);
        usage.FailNext = new StoreUnavailableException("ClickHouse", "ClickHouse does not answer.");
        var worker = Worker();

        await worker.DrainAsync(Ct);
        var afterFailure = await InvoicesAsync();
        clock.Advance(TimeSpan.FromSeconds(1));
        await worker.DrainAsync(Ct);

        Assert.Empty(afterFailure);
        Assert.Equal(3, (await InvoicesAsync()).Count);
        Assert.Equal(
            ["failed", "usage frozen"],
            (await ledger.CloseRuns.HistoryAsync(tenantId, run.Id, alice.Id, Ct)).Where(h => h.Step == nameof(CloseStep.Freeze)).Select(h => h.Outcome));
    }

    [Fact]
    public async Task Close_UsageStoredAfterThePeriodWasInvoiced_IsBilledAsAnAdjustmentLineOfTheNextPeriod()
    {
        await StartAsync(October);
        await Worker().DrainAsync(Ct);
        SetUsage(October, alice, 2_001m, 2_002m);
        SetUsage(November, alice, 10m, 0m);
        await StartAsync(November);
        await Worker().DrainAsync(Ct);

        var november = (await InvoicesAsync()).Single(i => i.CustomerId == alice.Id && i.Period == November);
        Assert.Equal(
            [("input", 0.05m, (BillingPeriod?)null), ("output", 0.00m, null), (null, 5.00m, October)],
            november.Lines.Select(l => (l.RateCardKey, l.Amount, l.Covers)));
        Assert.Equal(5.05m, november.Total);
        Assert.Contains("\"rerated\":15.02", november.Lines[2].Detail, StringComparison.Ordinal);
        Assert.Equal(15.02m, (await ledger.CloseRuns.InvoicedAsync(tenantId, [alice.Id], October, Ct))[alice.Id].Net);
        Assert.DoesNotContain((await InvoicesAsync()).Where(i => i.Period == November && i.CustomerId != alice.Id), i => i.Lines.Any(l => l.Covers is not null));
    }

    [Fact]
    public async Task Rerun_ClosedPeriodWithChangedUsage_MakesAnAdjustmentInvoiceOrACreditNoteNeverAnEdit()
    {
        await StartAsync(October);
        await Worker().DrainAsync(Ct);
        var originals = (await InvoicesAsync()).OrderBy(i => i.CustomerId == alice.Id ? 0 : i.CustomerId == bob.Id ? 1 : 2).ToList();
        SetUsage(October, alice, 2_001m, 2_002m);
        SetUsage(October, bob, 100_000m, 10m);

        var rerun = await Starter().StartAsync(tenantId, October, CloseRunKind.Rerun, false, null, "test", Ct);
        await Worker().DrainAsync(Ct);

        var documents = await InvoicesAsync();
        Assert.Equal(originals.OrderBy(d => d.Id), documents.Where(d => d.CloseRunId != rerun.Id).OrderBy(d => d.Id), new InvoiceComparer());
        Assert.Equal(
            [(bob.Id, InvoiceKind.CreditNote, "CN-000001", 500.00m, originals[1].Id), (alice.Id, InvoiceKind.Standard, "INV-000004", 5.00m, originals[0].Id)],
            documents.Where(d => d.CloseRunId == rerun.Id).Select(d => (d.CustomerId, d.Kind, d.Number!, d.Total, d.Corrects!)));
        Assert.Equal(CloseStep.Done, (await ledger.CloseRuns.TasksAsync(tenantId, rerun.Id, Ct)).Single(t => t.CustomerId == dave.Id).Step);
    }

    [Fact]
    public async Task DryRun_RatesButStoresIssuesAndPushesNothing()
    {
        AfterGrace(October);
        var run = await Starter().StartAsync(tenantId, October, CloseRunKind.Close, true, null, "test", Ct);

        await Worker().DrainAsync(Ct);

        Assert.Empty(await InvoicesAsync());
        Assert.Contains(
            (await ledger.CloseRuns.HistoryAsync(tenantId, run.Id, bob.Id, Ct)).Where(h => h.Outcome == "rated").Select(h => h.Detail),
            detail => detail!.Contains("\"total\":1000.03", StringComparison.Ordinal));
        Assert.Empty(await ledger.CloseRuns.ClosedPeriodsAsync(Ct));
    }

    [Fact]
    public async Task Close_TwoWorkersOnTwoLedgerInstances_IssueEachInvoiceOnce()
    {
        await StartAsync(October);
        await using var second = new TestLedger(new SqliteDialect(Path.Combine(directory, "ledger.db")), clock);
        options.BatchSize = 1;

        await Task.WhenAll(Task.Run(() => Worker().DrainAsync(Ct), Ct), Task.Run(() => Worker(second).DrainAsync(Ct), Ct));

        Assert.Equal(["INV-000001", "INV-000002", "INV-000003"], (await InvoicesAsync()).Select(i => i.Number).Order());
    }

    [Fact]
    public async Task Close_WorkerDiesHoldingTasks_AnotherResumesThemOnceTheLeaseExpiresAndSaysSo()
    {
        var run = await StartAsync(October);
        var dead = await ledger.CloseRuns.LeaseAsync(CloseStep.Freeze, 100, "dead-worker", clock.GetUtcNow(), TimeSpan.FromSeconds(options.LeaseSeconds), Ct);
        var worker = Worker();

        await worker.DrainAsync(Ct);
        var whileLeased = await InvoicesAsync();
        clock.Advance(TimeSpan.FromSeconds(options.LeaseSeconds + 1));
        await worker.DrainAsync(Ct);

        Assert.Equal(4, dead.Count);
        Assert.Empty(whileLeased);
        Assert.Equal(3, (await InvoicesAsync()).Count);
        var history = (await ledger.CloseRuns.HistoryAsync(tenantId, run.Id, alice.Id, Ct)).Where(h => h.CustomerId is not null).ToList();
        Assert.Equal(("resumed", "the lease of dead-worker expired without a commit", worker.Name), (history[0].Outcome, history[0].Detail, history[0].Worker));
        Assert.Equal(1, history.Count(h => h.Outcome == "resumed"));
    }

    [Fact]
    public async Task Scheduler_StartsEachEndedPeriodAfterItsGraceOnceAndCatchesUpMissedPeriods()
    {
        var scheduler = new CloseScheduler(ledger.Tenants, ledger.CloseRuns, ledger.Subscriptions, Starter(), Options.Create(options), clock, NullLogger<CloseScheduler>.Instance);

        clock.SetUtcNow(new DateTimeOffset(2026, 11, 1, 0, 59, 59, TimeSpan.Zero));
        var withinGrace = await scheduler.RunOnceAsync(Ct);
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 1, 1, 0, 0, TimeSpan.Zero));
        var afterGrace = await scheduler.RunOnceAsync(Ct);
        var again = await scheduler.RunOnceAsync(Ct);
        clock.SetUtcNow(new DateTimeOffset(2027, 1, 3, 0, 0, 0, TimeSpan.Zero));
        var caughtUp = await scheduler.RunOnceAsync(Ct);

        Assert.Empty(withinGrace);
        Assert.Equal([(tenantId, "2026-10", "scheduler")], afterGrace.Select(r => (r.TenantId, r.Period.ToString(), r.RequestedBy)));
        Assert.Empty(again);
        Assert.Equal(["2026-11", "2026-12"], caughtUp.Select(r => r.Period.ToString()));
    }

    [Fact]
    public async Task Scheduler_DownForMonths_StartsEveryMissedLabelSinceTheTenantWasCreatedOldestFirst()
    {
        var scheduler = new CloseScheduler(ledger.Tenants, ledger.CloseRuns, ledger.Subscriptions, Starter(), Options.Create(options), clock, NullLogger<CloseScheduler>.Instance);

        // The tenant was created in October 2026; nothing ran until 10 April 2027.
        clock.SetUtcNow(new DateTimeOffset(2027, 4, 10, 0, 0, 0, TimeSpan.Zero));
        var caughtUp = await scheduler.RunOnceAsync(Ct);
        var again = await scheduler.RunOnceAsync(Ct);

        Assert.Equal(["2026-10", "2026-11", "2026-12", "2027-01", "2027-02", "2027-03"], caughtUp.Select(r => r.Period.ToString()));
        Assert.Empty(again);
    }

    [Fact]
    public async Task Push_StripeFailsMidPush_RetriesAfterBackoffAndCreatesEachStripeObjectOnce()
    {
        await InstallStripeAsync();
        stripe!.Fail(new FakeFailure("/v1/invoiceitems") { Skip = 1 });
        var run = await StartAsync(October);
        var worker = Worker();

        await worker.DrainAsync(Ct);
        var parkedFor = (await ledger.CloseRuns.TasksAsync(tenantId, run.Id, Ct)).Where(t => t.State == CloseTaskState.Ready).Select(t => (t.Step, t.Attempts)).ToList();
        clock.Advance(TimeSpan.FromSeconds(1));
        await worker.DrainAsync(Ct);

        Assert.Equal([(CloseStep.Push, 1)], parkedFor);
        var invoices = await InvoicesAsync();
        Assert.All(invoices, i => Assert.NotNull(i.ExternalId));
        Assert.Equal((3, 3, 6), (stripe.Customers.Count, stripe.Invoices.Count, stripe.InvoiceItems.Count));
        Assert.All(stripe.Invoices, i => Assert.Equal("open", i.Status));
        Assert.Equal(invoices.Select(i => i.ExternalId).Order(), stripe.Invoices.Select(i => i.Id).Order());
    }

    /// <summary>Starts the period's close two hours after it ended (past the grace), moving the clock there if it is earlier.</summary>
    private async Task<CloseRun> StartAsync(BillingPeriod period)
    {
        AfterGrace(period);
        return await Starter().StartAsync(tenantId, period, CloseRunKind.Close, false, null, "test", Ct);
    }

    /// <summary>Customer erin on a plan whose October total no decimal can hold: rating overflows, for good.</summary>
    private async Task<Customer> OverflowingCustomerAsync()
    {
        var huge = LedgerScenario.Plan(tenantId, "huge", 100_000_000_000_000_000_000m, 0m);
        await ledger.Plans.CreateAsync(huge, Ct);
        var erin = await CustomerAsync("erin", "erin");
        await SubscribeAsync(erin, huge, new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero));
        SetUsage(October, erin, 10_000_000_000m, 0m);
        return erin;
    }

    private void AfterGrace(BillingPeriod period)
    {
        if (clock.GetUtcNow() < period.To.AddHours(2))
        {
            clock.SetUtcNow(period.To.AddHours(2));
        }
    }

    private CloseRuns Starter() => new(ledger.CloseRuns, ledger.Customers, Options.Create(options), clock, NullLogger<CloseRuns>.Instance);

    private CloseWorker Worker(TestLedger? on = null, System.Diagnostics.Metrics.IMeterFactory? meters = null)
    {
        var store = on ?? ledger;
        return new CloseWorker(
            store.CloseRuns,
            store.Customers,
            store.Invoices,
            new ClosingRating(new CustomerCatalogLoader(store.Customers, store.Subscriptions, store.Plans, store.Entitlements, store.Features, store.Meters)),
            usage,
            rollups,
            watermark,
            Processor(store),
            Options.Create(options),
            clock,
            new CloseMetrics(meters ?? new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            NullLogger<CloseWorker>.Instance);
    }

    private async Task<List<Invoice>> InvoicesAsync() =>
        [.. (await ledger.Invoices.ListAsync(tenantId, new InvoiceFilter { PageSize = 1000 }, Ct)).Page.OrderBy(i => i.Number ?? "~" + i.CustomerId, StringComparer.Ordinal)];

    private void SetUsage(BillingPeriod period, Customer customer, decimal inputTokens, decimal outputTokens)
    {
        usage.Set(input.Id, customer.Id, period.From, inputTokens);
        usage.Set(output.Id, customer.Id, period.From, outputTokens);
    }

    /// <summary>The Stripe adapter over the ledger, as the host wires it (against the fake when a test started one); a tenant without a Stripe app keeps its invoices in the ledger.</summary>
    private StripePaymentProcessor Processor(TestLedger on)
    {
        var options = Options.Create(StripeOptions());
        return new StripePaymentProcessor(on.PaymentApps, on.PaymentObjects, new ApiKeyCipher(options, new StripeDataDirectory(directory)), new StripeClients(options), options, clock, NullLogger<StripePaymentProcessor>.Instance);
    }

    private StripeOptions StripeOptions() => new() { BaseAddress = stripe?.BaseAddress, MaxNetworkRetries = 0, EncryptionKey = Convert.ToBase64String(new byte[32]) };

    /// <summary>Starts the Stripe fake on the test's clock and installs the tenant's Stripe app with the fake's key.</summary>
    private async Task InstallStripeAsync()
    {
        stripe = await StripeFake.StartAsync(clock, Ct);
        var options = Options.Create(StripeOptions());
        var apps = new StripeApps(ledger.PaymentApps, new StripeAccounts(new StripeClients(options)), new ApiKeyCipher(options, new StripeDataDirectory(directory)), clock, NullLogger<StripeApps>.Instance);
        var (_, error) = await apps.InstallAsync(tenantId, StripeFake.ApiKey, null, Ct);
        Assert.Null(error);
    }

    private async Task<Customer> CustomerAsync(string key, params string[] subjects)
    {
        var customer = new Customer(tenantId, Ids.New("cus"), key, key + " Inc.", subjects, Currency.Usd, clock.GetUtcNow());
        await ledger.Customers.CreateAsync(customer, Ct);
        return customer;
    }

    private async Task SubscribeAsync(Customer customer, Plan subscribed, DateTimeOffset activeFrom) =>
        await ledger.Subscriptions.CreateAsync(new Subscription(tenantId, Ids.New("sub"), customer.Id, subscribed.Id, subscribed.Key, subscribed.Version, subscribed.Name, subscribed.Currency, activeFrom, null, clock.GetUtcNow()), [], null, Ct);

    /// <summary>Invoices equal field by field, lines included.</summary>
    private sealed class InvoiceComparer : IEqualityComparer<Invoice>
    {
        public bool Equals(Invoice? x, Invoice? y) =>
            x is not null && y is not null && x with { Lines = [], Issues = [] } == y with { Lines = [], Issues = [] } && x.Lines.SequenceEqual(y.Lines);

        public int GetHashCode(Invoice obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}
