using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Payments;
using Tally.FakeStripe;
using Tally.Invoicer;
using Tally.Ledger;
using Tally.Rating;
using Tally.Stripe;
using Tally.Stripe.Apps;
using Tally.Tests.Invoicer.Fakes;
using Tally.Tests.Ledger;
using Customer = Tally.Billing.Customers.Customer;
using Plan = Tally.Billing.Catalog.Plan;
using Subscription = Tally.Billing.Customers.Subscription;

namespace Tally.Tests.Invoicer;

/// <summary>
/// Period close over a real SQLite ledger: alice and bob subscribed before October 2026, carol never,
/// dave from 15 October 12:00. Prices: 0.005 per input token, 0.0025 per output token.
/// </summary>
public sealed class PeriodCloseTests : IAsyncLifetime
{
    private static readonly BillingPeriod October = new(2026, 10);
    private static readonly DateTimeOffset DaveFrom = new(2026, 10, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly string directory = Directory.CreateTempSubdirectory("tally-period-close-").FullName;
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 1, 0, 5, 0, TimeSpan.Zero));
    private readonly FixedUsageReader usage = new();
    private TestLedger ledger = null!;
    private StripeFake? stripe;
    private string tenantId = "";
    private Customer alice = null!;
    private Customer bob = null!;
    private Customer carol = null!;
    private Customer dave = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        ledger = new TestLedger(new SqliteDialect(Path.Combine(directory, "ledger.db")), clock);
        await ledger.Database.MigrateAsync(Ct);
        tenantId = await LedgerScenario.TenantAsync(ledger, "Acme");
        var input = LedgerScenario.Meter(tenantId, "input-tokens");
        var output = LedgerScenario.Meter(tenantId, "output-tokens");
        await ledger.Meters.CreateAsync(input, Ct);
        await ledger.Meters.CreateAsync(output, Ct);
        var plan = new Plan(tenantId, Ids.New("pln"), "pro", "Pro", Currency.Usd, [new RateCard("input", "input-tokens", 0.005m), new RateCard("output", "output-tokens", 0.0025m)], clock.GetUtcNow());
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
        usage.Set(input.Id, alice.SubjectKeys, 1_001m);
        usage.Set(output.Id, alice.SubjectKeys, 2_002m);
        usage.Set(input.Id, bob.SubjectKeys, 200_000m);
        usage.Set(output.Id, bob.SubjectKeys, 10m);
        usage.Set(input.Id, carol.SubjectKeys, 5_000m);
        usage.Set(input.Id, dave.SubjectKeys, 100m);
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
    public async Task CloseAsync_PeriodNotEnded_ThrowsNamingPeriodEnd()
    {
        var lastSecond = new FakeTimeProvider(new DateTimeOffset(2026, 10, 31, 23, 59, 59, TimeSpan.Zero));

        var error = await Assert.ThrowsAsync<PeriodNotEndedException>(() => Close(new NotConnected(), lastSecond).CloseAsync(tenantId, October, Ct));

        Assert.Equal("Period 2026-10 ends at 2026-11-01T00:00:00Z; it can be closed after that.", error.Message);
        Assert.Equal(October, error.Period);
        Assert.Empty(await ledger.Invoices.ListAsync(tenantId, null, Ct));
    }

    [Fact]
    public async Task CloseAsync_EndedPeriod_IssuesOneInvoicePerSubscribedCustomerWithLinesRoundedOnce()
    {
        var result = await Close(new NotConnected()).CloseAsync(tenantId, October, Ct);

        Assert.Equal(
            [
                ("2026-10-0001", alice.Id, 10.02m, true, InvoiceStatus.Issued),
                ("2026-10-0002", bob.Id, 1_000.03m, true, InvoiceStatus.Issued),
                ("2026-10-0003", dave.Id, 0.50m, true, InvoiceStatus.Issued),
            ],
            result.Invoices.Select(closed => (closed.Invoice.Number, closed.Invoice.CustomerId, closed.Invoice.Total, closed.Created, closed.Invoice.Status)));
        Assert.Equal(
            [new InvoiceLine("input", "input-tokens", 1_001m, 0.005m, 5.01m), new InvoiceLine("output", "output-tokens", 2_002m, 0.0025m, 5.01m)],
            result.Invoices[0].Invoice.Lines);
        Assert.Equal([1_000.00m, 0.03m], result.Invoices[1].Invoice.Lines.Select(line => line.Amount));
        Assert.Equal(3, (await ledger.Invoices.ListAsync(tenantId, null, Ct)).Count);
        Assert.Empty(await ledger.Invoices.ListAsync(tenantId, carol.Id, Ct));
    }

    [Fact]
    public async Task CloseAsync_SubscriptionStartsMidPeriod_ReadsUsageFromActiveFrom()
    {
        var result = await Close(new NotConnected()).CloseAsync(tenantId, October, Ct);

        Assert.Equal(
            [(DaveFrom, October.To), (DaveFrom, October.To)],
            usage.Queries.Where(query => query.Subjects == "dave").Select(query => (query.From, query.To)));
        Assert.Equal(
            [(October.From, October.To), (October.From, October.To)],
            usage.Queries.Where(query => query.Subjects == "alice").Select(query => (query.From, query.To)));
        Assert.Equal([0.50m, 0.00m], result.Invoices.Single(closed => closed.Invoice.CustomerId == dave.Id).Invoice.Lines.Select(line => line.Amount));
    }

    [Fact]
    public async Task CloseAsync_RunTwice_SecondRunIssuesNothingNew()
    {
        var close = Close(new NotConnected());
        var first = await close.CloseAsync(tenantId, October, Ct);

        var second = await close.CloseAsync(tenantId, October, Ct);

        Assert.All(second.Invoices, closed => Assert.False(closed.Created));
        Assert.Equal(
            first.Invoices.Select(closed => (closed.Invoice.Id, closed.Invoice.Number, closed.Invoice.Total)),
            second.Invoices.Select(closed => (closed.Invoice.Id, closed.Invoice.Number, closed.Invoice.Total)));
        Assert.Equal(["2026-10-0001", "2026-10-0002", "2026-10-0003"], second.Invoices.Select(closed => closed.Invoice.Number));
        Assert.Equal(3, (await ledger.Invoices.ListAsync(tenantId, null, Ct)).Count);
    }

    [Fact]
    public async Task CloseAsync_WithStripe_PushesEveryInvoiceOnceAndSecondRunPushesNothing()
    {
        var close = Close(await StripePublisherAsync());

        var first = await close.CloseAsync(tenantId, October, Ct);
        var requestsAfterFirst = stripe!.Requests.Count;
        var second = await close.CloseAsync(tenantId, October, Ct);

        await AssertPushedOnceAsync();
        Assert.All(first.Invoices, closed => Assert.Equal(InvoiceStatus.Pushed, closed.Invoice.Status));
        Assert.Equal(
            first.Invoices.Select(closed => (closed.Invoice.Id, closed.Invoice.ExternalId, false)),
            second.Invoices.Select(closed => (closed.Invoice.Id, closed.Invoice.ExternalId, closed.Created)));
        Assert.Equal(requestsAfterFirst, stripe.Requests.Count);
    }

    [Fact]
    public async Task CloseAsync_StripeFailsMidPush_LeavesInvoiceIssuedAndRerunPushesItOnce()
    {
        var close = Close(await StripePublisherAsync());
        stripe!.Fail(new FakeFailure("/v1/invoiceitems") { Skip = 1 });

        await Assert.ThrowsAsync<PaymentProcessorUnavailableException>(() => close.CloseAsync(tenantId, October, Ct));

        var interrupted = Assert.Single(await ledger.Invoices.ListAsync(tenantId, null, Ct));
        Assert.Equal((alice.Id, InvoiceStatus.Issued, (string?)null), (interrupted.CustomerId, interrupted.Status, interrupted.ExternalId));
        Assert.Equal("draft", Assert.Single(stripe.Invoices).Status);

        var rerun = await close.CloseAsync(tenantId, October, Ct);

        Assert.Equal([false, true, true], rerun.Invoices.Select(closed => closed.Created));
        Assert.Equal(interrupted.Id, rerun.Invoices[0].Invoice.Id);
        await AssertPushedOnceAsync();
    }

    /// <summary>Every ledger invoice is pushed, and Stripe holds exactly one customer, one finalized invoice and its items for each.</summary>
    private async Task AssertPushedOnceAsync()
    {
        var invoices = await ledger.Invoices.ListAsync(tenantId, null, Ct);
        Assert.Equal(3, invoices.Count);
        Assert.Equal(3, stripe!.Customers.Count);
        Assert.Equal(3, stripe.Invoices.Count);
        Assert.Equal(6, stripe.InvoiceItems.Count);
        foreach (var invoice in invoices)
        {
            Assert.Equal(InvoiceStatus.Pushed, invoice.Status);
            var pushed = Assert.Single(stripe.Invoices, candidate => candidate.Metadata["tally_document_id"] == invoice.Id);
            Assert.Equal((pushed.Id, "open"), (invoice.ExternalId, pushed.Status));
            Assert.Equal(invoice.CustomerId, Assert.Single(stripe.Customers, customer => customer.Id == pushed.Customer).Metadata["tally_customer_id"]);
            Assert.Equal(
                invoice.Lines.Select(line => new Money(line.Amount, invoice.Currency).ToMinorUnits()),
                stripe.InvoiceItems.Where(item => item.Invoice == pushed.Id).Select(item => item.Amount));
        }
    }

    /// <summary>The Stripe adapter over this ledger, with the tenant's app installed on the fake's default account.</summary>
    private async Task<StripePaymentProcessor> StripePublisherAsync()
    {
        stripe = await StripeFake.StartAsync(clock, Ct);
        var options = Microsoft.Extensions.Options.Options.Create(new StripeOptions
        {
            BaseAddress = stripe.BaseAddress,
            MaxNetworkRetries = 0,
            EncryptionKey = Convert.ToBase64String(new byte[32]),
        });
        var cipher = new ApiKeyCipher(options, new StripeDataDirectory(directory));
        var clients = new StripeClients(options);
        var apps = new StripeApps(ledger.PaymentApps, new StripeAccounts(clients), cipher, clock, NullLogger<StripeApps>.Instance);
        Assert.Null((await apps.InstallAsync(tenantId, StripeFake.ApiKey, null, Ct)).Error);
        return new StripePaymentProcessor(ledger.PaymentApps, ledger.PaymentObjects, cipher, clients, options, clock, NullLogger<StripePaymentProcessor>.Instance);
    }

    private PeriodClose Close(IPaymentProcessor payments, TimeProvider? time = null) => new(
        ledger.Customers,
        ledger.Invoices,
        new ChargeCalculator(ledger.Customers, ledger.Plans, ledger.Meters, usage),
        payments,
        time ?? clock,
        NullLogger<PeriodClose>.Instance);

    private async Task<Customer> CustomerAsync(string key, params string[] subjects)
    {
        var customer = new Customer(tenantId, Ids.New("cus"), key, key + " Inc.", subjects, Currency.Usd, clock.GetUtcNow());
        await ledger.Customers.CreateAsync(customer, Ct);
        return customer;
    }

    private async Task SubscribeAsync(Customer customer, Plan plan, DateTimeOffset activeFrom) =>
        await ledger.Customers.CreateSubscriptionAsync(new Subscription(tenantId, Ids.New("sub"), customer.Id, plan.Id, activeFrom, clock.GetUtcNow()), Ct);

    /// <summary>A tenant without a payment processor app: invoices stay in the ledger.</summary>
    private sealed class NotConnected : IPaymentProcessor
    {
        public Task<bool> IsConnectedAsync(string tenantId, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<PaymentReceipt> PushAsync(PaymentDocument document, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("A tenant without an app is never pushed.");

        public Task<VoidOutcome> VoidAsync(string tenantId, string customerId, string documentKey, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("A tenant without an app is never voided.");
    }
}
