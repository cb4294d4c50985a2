using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stripe;
using Tally.Billing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.EventLog.Embedded;
using Tally.Stripe;
using Tally.Tests.Invoicer.Fakes;
using Invoice = Tally.Billing.Invoices.Invoice;

namespace Tally.Tests.Invoicer;

/// <summary>The Stripe publisher through Stripe.net's real HTTP stack, against <see cref="StripeFake"/>.</summary>
public sealed class StripeInvoicePublisherTests : IAsyncLifetime
{
    private static readonly Tally.Billing.Customers.Customer Alice =
        new("ten_test", "cus_tally_alice", "alice", "Alice Inc.", ["alice"], Currency.Usd, new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero));

    private StripeFake fake = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => fake = await StripeFake.StartAsync(Ct);

    public ValueTask DisposeAsync() => fake.DisposeAsync();

    [Fact]
    public async Task PublishAsync_InvoiceWithTwoLines_CreatesOneCustomerOneInvoiceTwoItemsAndFinalizes()
    {
        var invoice = UsdInvoice();

        var externalId = await Publisher().PublishAsync(invoice, Alice, Ct);

        var customer = Assert.Single(fake.Customers);
        Assert.Equal("Alice Inc.", customer.Name);
        Assert.Equal(new Dictionary<string, string> { ["tally_customer_id"] = "cus_tally_alice", ["tally_customer_key"] = "alice" }, customer.Metadata);
        var stripeInvoice = Assert.Single(fake.Invoices);
        Assert.Equal(stripeInvoice.Id, externalId);
        Assert.Equal(customer.Id, stripeInvoice.Customer);
        Assert.Equal("usd", stripeInvoice.Currency);
        Assert.Equal("send_invoice", stripeInvoice.CollectionMethod);
        Assert.Equal(30, stripeInvoice.DaysUntilDue);
        Assert.False(stripeInvoice.AutoAdvance);
        Assert.Equal("open", stripeInvoice.Status);
        Assert.Equal(123_530, stripeInvoice.Total);
        Assert.Equal(new Dictionary<string, string> { ["tally_invoice_id"] = invoice.Id, ["tally_invoice_number"] = "2026-10-0001" }, stripeInvoice.Metadata);
        Assert.Equal(
            [
                new FakeStripeInvoiceItem("ii_fake000001", customer.Id, stripeInvoice.Id, "usd", 80, "input-tokens: 400 x 0.002 USD (2026-10)"),
                new FakeStripeInvoiceItem("ii_fake000002", customer.Id, stripeInvoice.Id, "usd", 123_450, "output-tokens: 246900 x 0.005 USD (2026-10)"),
            ],
            fake.InvoiceItems);
    }

    [Fact]
    public async Task PublishAsync_JpyInvoice_SendsWholeYen()
    {
        var jpy = Currency.Parse("JPY");
        var invoice = Invoice(jpy, Line("requests", "requests", 1_000m, 1.5m, 1_500m));

        await Publisher().PublishAsync(invoice, Alice, Ct);

        Assert.Equal("jpy", Assert.Single(fake.Invoices).Currency);
        var item = Assert.Single(fake.InvoiceItems);
        Assert.Equal(1_500, item.Amount);
        Assert.Equal("jpy", item.Currency);
    }

    [Fact]
    public async Task PublishAsync_SameInvoiceTwice_ReplaysEveryRequestAndCreatesNothingNew()
    {
        var invoice = UsdInvoice();
        var publisher = Publisher();
        var first = await publisher.PublishAsync(invoice, Alice, Ct);

        var second = await publisher.PublishAsync(invoice, Alice, Ct);

        Assert.Equal(first, second);
        Assert.Single(fake.Customers);
        Assert.Single(fake.Invoices);
        Assert.Equal(2, fake.InvoiceItems.Count);
        var requests = fake.Requests;
        Assert.Equal(10, requests.Count);
        Assert.All(requests.Take(5), request => Assert.False(request.Replayed));
        Assert.All(requests.Skip(5), request => Assert.True(request.Replayed));
    }

    [Fact]
    public async Task PublishAsync_SecondItemFails_ThrowsAndPublishingAgainCompletesWithOneOfEach()
    {
        var invoice = UsdInvoice();
        var publisher = Publisher();
        fake.FailOnce("/v1/invoiceitems", nth: 2);

        var error = await Assert.ThrowsAsync<StripeException>(() => publisher.PublishAsync(invoice, Alice, Ct));

        Assert.Equal(HttpStatusCode.InternalServerError, error.HttpStatusCode);
        Assert.Equal("draft", Assert.Single(fake.Invoices).Status);
        Assert.Single(fake.InvoiceItems);

        var externalId = await publisher.PublishAsync(invoice, Alice, Ct);

        Assert.Single(fake.Customers);
        var stripeInvoice = Assert.Single(fake.Invoices);
        Assert.Equal(stripeInvoice.Id, externalId);
        Assert.Equal("open", stripeInvoice.Status);
        Assert.Equal([80L, 123_450L], fake.InvoiceItems.Select(item => item.Amount));
    }

    [Fact]
    public async Task PublishAsync_NotATestKey_ThrowsUnauthorizedAndCreatesNothing()
    {
        var publisher = Publisher(apiKey: "rk_live_not_accepted");

        var error = await Assert.ThrowsAsync<StripeException>(() => publisher.PublishAsync(UsdInvoice(), Alice, Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, error.HttpStatusCode);
        Assert.Equal("invalid_request_error", error.StripeError.Type);
        Assert.Empty(fake.Customers);
    }

    private StripeInvoicePublisher Publisher(string apiKey = StripeFake.ApiKey) =>
        new(Options.Create(new StripeOptions { ApiKey = apiKey, BaseAddress = fake.BaseAddress }), NullLogger<StripeInvoicePublisher>.Instance);

    private static Invoice UsdInvoice() => Invoice(
        Currency.Usd,
        Line("input", "input-tokens", 400m, 0.002m, 0.80m),
        Line("output", "output-tokens", 246_900m, 0.005m, 1_234.50m));

    private static InvoiceLine Line(string key, string meter, decimal quantity, decimal unitPrice, decimal amount) =>
        new(key, $"{meter}: {quantity} x {unitPrice}", key, meter, quantity, unitPrice, amount);

    private static Invoice Invoice(Currency currency, params InvoiceLine[] lines) => new(
        "ten_test",
        Ids.New("inv"),
        InvoiceKind.Standard,
        "cus_tally_alice",
        new BillingPeriod(2026, 10),
        new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        currency,
        lines,
        lines.Sum(line => line.Amount),
        InvoiceStatus.Issued,
        new DateTimeOffset(2026, 11, 1, 0, 5, 0, TimeSpan.Zero))
    {
        Number = "2026-10-0001",
        IssuedAt = new DateTimeOffset(2026, 11, 1, 0, 5, 0, TimeSpan.Zero),
    };
}
