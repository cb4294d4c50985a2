using Tally.Billing;
using Tally.Billing.Payments;
using Tally.FakeStripe;

namespace Tally.Tests.Payments;

/// <summary>
/// The exactly-once push through Stripe.net's real HTTP stack against <see cref="StripeFake"/>, over a
/// SQLite ledger: what a first push creates, and that no later push (the next month's, a retry after a
/// lost answer or a lost ledger write, within or after Stripe's 24-hour idempotency window) creates
/// anything twice.
/// </summary>
public sealed class StripePaymentProcessorTests : IAsyncLifetime
{
    private StripeTestbed bed = null!;
    private string tenant = "";
    private PaymentCustomer alice = null!;
    private int setupRequests;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private StripeFake Fake => bed.Fake;

    /// <summary>The requests since the test's setup (installing an app asks Stripe for its account).</summary>
    private List<FakeStripeRequest> Requests => [.. Fake.Requests.Skip(setupRequests)];

    public async ValueTask InitializeAsync()
    {
        bed = await StripeTestbed.StartAsync(Ct);
        (tenant, alice) = await bed.TenantAsync("Acme");
        setupRequests = Fake.Requests.Count;
    }

    public ValueTask DisposeAsync() => bed.DisposeAsync();

    [Fact]
    public async Task Push_InvoiceWithTwoLines_CreatesCustomerItemsAndFinalizedInvoiceUnderDerivedKeys()
    {
        var document = StripeTestbed.Invoice(tenant, alice);

        var receipt = await bed.Processor().PushAsync(document, Ct);

        Assert.Equal(new PaymentReceipt("in_fake000001", "cus_fake000001"), receipt);
        var customer = Assert.Single(Fake.Customers);
        Assert.Equal(("Alice Inc.", StripeFake.AccountId), (customer.Name, customer.Account));
        Assert.Equal(
            new Dictionary<string, string> { ["tally_key"] = $"{tenant}/customers/{alice.Id}", ["tally_customer_id"] = alice.Id, ["tally_customer_key"] = "alice" },
            customer.Metadata);
        var invoice = Assert.Single(Fake.Invoices);
        Assert.Equal(("cus_fake000001", "usd", "send_invoice", 30L, false, "open", 123_530L), (invoice.Customer, invoice.Currency, invoice.CollectionMethod, invoice.DaysUntilDue, invoice.AutoAdvance, invoice.Status, invoice.Total));
        Assert.Equal(
            new Dictionary<string, string> { ["tally_key"] = $"{tenant}/customers/{alice.Id}/invoices/2026-10", ["tally_document_id"] = document.DocumentId, ["tally_document_number"] = "2026-10-0001" },
            invoice.Metadata);
        Assert.Equal(
            [("in_fake000001", 80L, "input-tokens: 400 x 0.002 USD", $"{tenant}/customers/{alice.Id}/invoices/2026-10/lines/input", "400"),
             ("in_fake000001", 123_450L, "output-tokens: 246900 x 0.005 USD", $"{tenant}/customers/{alice.Id}/invoices/2026-10/lines/output", "246900")],
            Fake.InvoiceItems.Select(item => (item.Invoice, item.Amount, item.Description, item.Metadata["tally_key"], item.Metadata["tally_quantity"])));
        var prefix = $"tally/{tenant}/customers/{alice.Id}";
        Assert.Equal(
            [("/v1/customers", prefix), ("/v1/invoices", $"{prefix}/invoices/2026-10"), ("/v1/invoiceitems", $"{prefix}/invoices/2026-10/lines/input"),
             ("/v1/invoiceitems", $"{prefix}/invoices/2026-10/lines/output"), ("/v1/invoices/in_fake000001/finalize", $"{prefix}/invoices/2026-10/finalized")],
            Requests.Select(request => (request.Path, request.IdempotencyKey)));
    }

    [Fact]
    public async Task Push_SameDocumentAgain_AnswersFromTheLedgerWithoutCallingStripe()
    {
        var document = StripeTestbed.Invoice(tenant, alice);
        var first = await bed.Processor().PushAsync(document, Ct);

        var second = await bed.Processor().PushAsync(document with { DocumentId = Ids.New("inv") }, Ct);

        Assert.Equal(first, second);
        Assert.Equal(5, Requests.Count);
    }

    [Fact]
    public async Task Push_NextMonthAfterTheIdempotencyWindow_ReusesTheStripeCustomer()
    {
        await bed.Processor().PushAsync(StripeTestbed.Invoice(tenant, alice, "2026-10"), Ct);
        bed.Clock.Advance(TimeSpan.FromDays(31));

        var november = await bed.Processor().PushAsync(StripeTestbed.Invoice(tenant, alice, "2026-11"), Ct);

        Assert.Equal(new PaymentReceipt("in_fake000002", "cus_fake000001"), november);
        Assert.Single(Fake.Customers);
        Assert.Equal(["cus_fake000001", "cus_fake000001"], Fake.Invoices.Select(invoice => invoice.Customer));
        Assert.DoesNotContain(Requests.Skip(5), request => request.Path == "/v1/customers");
    }

    [Theory]
    [InlineData("/v1/customers", 0)]
    [InlineData("/v1/invoices", 0)]
    [InlineData("/v1/invoiceitems", 1)]
    [InlineData("/v1/invoices/*/finalize", 0)]
    public async Task Push_AnswerLostThenRetriedAfterTheWindow_FindsWhatStripeCreatedAndCreatesNothingTwice(string path, int skip)
    {
        Fake.Fail(new FakeFailure(path) { Skip = skip, Mode = FakeFailureMode.DropResponse });
        var document = StripeTestbed.Invoice(tenant, alice);

        await Assert.ThrowsAsync<PaymentProcessorUnavailableException>(() => bed.Processor().PushAsync(document, Ct));
        bed.Clock.Advance(TimeSpan.FromHours(25));
        var receipt = await bed.Processor().PushAsync(document, Ct);

        Assert.Equal(new PaymentReceipt("in_fake000001", "cus_fake000001"), receipt);
        Assert.Equal(new Dictionary<string, int> { ["customer"] = 1, ["invoice"] = 1, ["invoiceitem"] = 2, ["credit_note"] = 0 }, Fake.CreatedCounts);
        var invoice = Assert.Single(Fake.Invoices);
        Assert.Equal(("open", 123_530L), (invoice.Status, invoice.Total));
        Assert.Single(Fake.Requests, request => request.Dropped);
    }

    [Theory]
    [InlineData("", "GET /v1/customers/search")]
    [InlineData("/invoices/2026-10", "GET /v1/invoices")]
    [InlineData("/invoices/2026-10/lines/output", "GET /v1/invoiceitems")]
    [InlineData("/invoices/2026-10/finalized", "GET /v1/invoices/in_fake000001")]
    public async Task Push_LedgerWriteLostAfterStripeAnswered_RetryAfterTheWindowFindsTheObjectAndCreatesNothingTwice(string suffix, string lookup)
    {
        var lostKey = $"customers/{alice.Id}{suffix}";
        var document = StripeTestbed.Invoice(tenant, alice);

        await Assert.ThrowsAsync<InvalidOperationException>(() => bed.Processor(new LosingObjectStore(bed.Ledger.PaymentObjects, lostKey)).PushAsync(document, Ct));
        bed.Clock.Advance(TimeSpan.FromHours(25));
        var receipt = await bed.Processor().PushAsync(document, Ct);

        Assert.Equal(new PaymentReceipt("in_fake000001", "cus_fake000001"), receipt);
        Assert.Equal(new Dictionary<string, int> { ["customer"] = 1, ["invoice"] = 1, ["invoiceitem"] = 2, ["credit_note"] = 0 }, Fake.CreatedCounts);
        Assert.Equal(("open", 123_530L), (Fake.Invoices[0].Status, Fake.Invoices[0].Total));
        Assert.Contains(Requests, request => $"{request.Method} {request.Path}" == lookup);
    }

    [Fact]
    public async Task Push_KuwaitiDinars_SendsEachLineInTensOfFilsRoundedByRunningTotal()
    {
        var kwd = Currency.Parse("KWD");
        var document = StripeTestbed.Invoice(
            tenant, alice, "2026-10", kwd, new PaymentLine("a", "a", 1m, 1.234m), new PaymentLine("b", "b", 1m, 2.345m), new PaymentLine("c", "c", 1m, 0.006m));

        await bed.Processor().PushAsync(document, Ct);

        Assert.Equal([1_230L, 2_350L, 10L], Fake.InvoiceItems.Select(item => item.Amount));
        Assert.Equal(("kwd", 3_590L), (Fake.Invoices[0].Currency, Fake.Invoices[0].Total));
    }

    [Fact]
    public async Task Push_Yen_SendsWholeYen()
    {
        var document = StripeTestbed.Invoice(tenant, alice, "2026-10", Currency.Parse("JPY"), new PaymentLine("requests", "requests", 1_000m, 1_500m));

        await bed.Processor().PushAsync(document, Ct);

        Assert.Equal(("jpy", 1_500L), (Fake.InvoiceItems[0].Currency, Fake.InvoiceItems[0].Amount));
    }

    [Fact]
    public async Task Push_TwoTenantsWithTheirOwnKeys_EachReachesOnlyItsOwnAccount()
    {
        const string globexKey = "sk_test_GlobexSecondAccount02";
        var globexAccount = Fake.AddAccount(globexKey);
        var (globex, globexCustomer) = await bed.TenantAsync("Globex", globexKey);
        setupRequests = Fake.Requests.Count;

        await bed.Processor().PushAsync(StripeTestbed.Invoice(tenant, alice), Ct);
        var requestsOfAcme = Requests.Count;
        await bed.Processor().PushAsync(StripeTestbed.Invoice(globex, globexCustomer), Ct);

        Assert.Equal("acct_fake000002", globexAccount);
        Assert.Equal((5, 10), (requestsOfAcme, Requests.Count));
        Assert.All(Requests.Take(requestsOfAcme), request => Assert.Equal(StripeFake.AccountId, request.Account));
        Assert.All(Requests.Skip(requestsOfAcme), request => Assert.Equal(globexAccount, request.Account));
        Assert.Equal([(StripeFake.AccountId, alice.Id), (globexAccount, globexCustomer.Id)], Fake.Customers.Select(c => (c.Account, c.Metadata["tally_customer_id"])));
    }

    [Fact]
    public async Task Push_SealedKeyCopiedFromAnotherTenant_IsRefusedWithoutCallingStripe()
    {
        var globexKey = "sk_test_GlobexSecondAccount02";
        Fake.AddAccount(globexKey);
        var (globex, globexCustomer) = await bed.TenantAsync("Globex", globexKey);
        var acmeApp = await bed.AppAsync(tenant);
        await bed.Ledger.PaymentApps.UpdateAsync(await bed.AppAsync(globex) with { SealedApiKey = acmeApp.SealedApiKey }, Ct);
        setupRequests = Fake.Requests.Count;

        var error = await Assert.ThrowsAsync<PaymentProcessorRejectedException>(() => bed.Processor().PushAsync(StripeTestbed.Invoice(globex, globexCustomer), Ct));

        Assert.Equal("sealed_key_unreadable", error.Code);
        Assert.Empty(Requests);
    }

    [Fact]
    public async Task Push_LinkedCustomerWithPaymentMethod_UsesItAsItIsAndChargesAutomatically()
    {
        var existing = await new global::Stripe.CustomerService(new global::Stripe.StripeClient(StripeFake.ApiKey, apiBase: Fake.BaseAddress))
            .CreateAsync(new global::Stripe.CustomerCreateOptions { Name = "Alice (made in Stripe)" }, cancellationToken: Ct);
        var paymentMethod = Fake.AddPaymentMethod(existing.Id);
        var app = await bed.AppAsync(tenant);
        await bed.Ledger.PaymentApps.UpsertLinkAsync(new CustomerPaymentLink(tenant, app.Id, alice.Id, existing.Id, paymentMethod, bed.Clock.GetUtcNow()), Ct);

        var receipt = await bed.Processor().PushAsync(StripeTestbed.Invoice(tenant, alice), Ct);

        Assert.Equal(new PaymentReceipt("in_fake000001", existing.Id), receipt);
        Assert.Single(Fake.Customers);
        var invoice = Assert.Single(Fake.Invoices);
        Assert.Equal(("charge_automatically", (long?)null, paymentMethod, true), (invoice.CollectionMethod, invoice.DaysUntilDue, invoice.DefaultPaymentMethod, invoice.AutoAdvance));
    }

    [Fact]
    public async Task Push_FailureAfterStripeNetRetry_SucceedsWithOneInvoiceUnderOneKey()
    {
        bed.Options.MaxNetworkRetries = 1;
        Fake.Fail(new FakeFailure("/v1/invoices") { ShouldRetry = null });

        await bed.Processor().PushAsync(StripeTestbed.Invoice(tenant, alice), Ct);

        var attempts = Fake.Requests.Where(request => request.Path == "/v1/invoices").ToList();
        Assert.Equal([500, 200], attempts.Select(request => request.StatusCode));
        Assert.Single(attempts.Select(request => request.IdempotencyKey).Distinct());
        Assert.Single(Fake.Invoices);
    }

    [Theory]
    [InlineData(500, "api_error", null, typeof(PaymentProcessorUnavailableException), null)]
    [InlineData(503, "api_error", null, typeof(PaymentProcessorUnavailableException), null)]
    [InlineData(429, "rate_limit_error", "rate_limit", typeof(PaymentProcessorUnavailableException), null)]
    [InlineData(409, "idempotency_error", null, typeof(PaymentProcessorUnavailableException), null)]
    [InlineData(400, "invalid_request_error", "parameter_invalid_string", typeof(PaymentProcessorRejectedException), "parameter_invalid_string")]
    [InlineData(402, "card_error", "card_declined", typeof(PaymentProcessorRejectedException), "card_declined")]
    [InlineData(404, "invalid_request_error", "resource_missing", typeof(PaymentProcessorRejectedException), "resource_missing")]
    public async Task Push_StripeAnswersError_IsRetryableOrRejectedByItsKind(int status, string type, string? code, Type expected, string? expectedCode)
    {
        Fake.Fail(new FakeFailure("/v1/customers") { StatusCode = status, Type = type, Code = code });

        var error = await Record.ExceptionAsync(() => bed.Processor().PushAsync(StripeTestbed.Invoice(tenant, alice), Ct));

        Assert.IsType(expected, error);
        Assert.Equal(expectedCode, (error as PaymentProcessorRejectedException)?.Code);
        Assert.StartsWith($"Stripe answered {status} while pushing StandardInvoice 2026-10: Injected by the test.", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_StripeUnreachable_IsRetryable()
    {
        bed.Options.BaseAddress = "http://127.0.0.1:9";

        var error = await Assert.ThrowsAsync<PaymentProcessorUnavailableException>(() => bed.Processor().PushAsync(StripeTestbed.Invoice(tenant, alice), Ct));

        Assert.StartsWith("Stripe could not be reached while pushing StandardInvoice 2026-10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_KeyRevoked_IsRejectedAndMarksTheAppUnauthorized()
    {
        Fake.RevokeKey(StripeFake.ApiKey);

        var error = await Assert.ThrowsAsync<PaymentProcessorRejectedException>(() => bed.Processor().PushAsync(StripeTestbed.Invoice(tenant, alice), Ct));

        Assert.Equal(("unauthorized", 401), (error.Code, error.StatusCode));
        Assert.Equal(PaymentAppStatus.Unauthorized, (await bed.AppAsync(tenant)).Status);
    }

    [Fact]
    public async Task Push_TenantWithoutApp_IsNotConnectedAndRejected()
    {
        var (bare, customer) = await bed.TenantAsync("Initech", apiKey: null);

        Assert.False(await bed.Processor().IsConnectedAsync(bare, Ct));
        Assert.True(await bed.Processor().IsConnectedAsync(tenant, Ct));
        var error = await Assert.ThrowsAsync<PaymentProcessorRejectedException>(() => bed.Processor().PushAsync(StripeTestbed.Invoice(bare, customer), Ct));
        Assert.Equal("not_connected", error.Code);
    }

    [Fact]
    public async Task Push_DocumentWithDuplicateLineKeys_IsRefusedBeforeAnyCall()
    {
        var document = StripeTestbed.Invoice(tenant, alice, "2026-10", null, new PaymentLine("x", "x", 1m, 1m), new PaymentLine("x", "x", 1m, 2m));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => bed.Processor().PushAsync(document, Ct));

        Assert.Contains("lines.key: 'x' names 2 lines; line keys are unique within a document.", error.Message, StringComparison.Ordinal);
        Assert.Empty(Requests);
    }

    /// <summary>The ledger loses the write of one key's Stripe id, as a crash right after Stripe's answer would.</summary>
    private sealed class LosingObjectStore(IPaymentObjectStore inner, string lostKey) : IPaymentObjectStore
    {
        public Task<IReadOnlyDictionary<string, PaymentObjectState>> FindAsync(string tenantId, string account, IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
            inner.FindAsync(tenantId, account, keys, cancellationToken);

        public Task MarkAttemptedAsync(string tenantId, string account, IReadOnlyCollection<string> keys, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.MarkAttemptedAsync(tenantId, account, keys, at, cancellationToken);

        public Task<IReadOnlyDictionary<string, string>> RecordAsync(string tenantId, string account, IReadOnlyDictionary<string, string> externalIds, DateTimeOffset at, CancellationToken cancellationToken) =>
            externalIds.ContainsKey(lostKey)
                ? throw new InvalidOperationException("The process died before the ledger write.")
                : inner.RecordAsync(tenantId, account, externalIds, at, cancellationToken);
    }
}
