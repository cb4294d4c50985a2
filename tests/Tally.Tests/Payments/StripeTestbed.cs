using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tally.Billing;
using Tally.Billing.Payments;
using Tally.FakeStripe;
using Tally.Ledger;
using Tally.Stripe;
using Tally.Stripe.Apps;
using Tally.Tests.Ledger;

namespace Tally.Tests.Payments;

/// <summary>
/// A SQLite ledger, the Stripe fake on its own fake clock, and the Stripe adapter wired as the host
/// wires it. Stripe.net's own retries are off unless a test turns them on, so each injected failure
/// reaches Tally exactly as the test placed it.
/// </summary>
internal sealed class StripeTestbed : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 5, 0, TimeSpan.Zero);

    private readonly string directory;

    private StripeTestbed(string directory, StripeFake fake, TestLedger ledger, FakeTimeProvider clock)
    {
        this.directory = directory;
        Fake = fake;
        Ledger = ledger;
        Clock = clock;
    }

    public StripeFake Fake { get; }

    public TestLedger Ledger { get; }

    /// <summary>The one clock: Tally's and the fake's (it ages idempotency keys).</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary>What the adapter is configured with; a test may change it before asking for a processor.</summary>
    public StripeOptions Options { get; private set; } = new();

    public static async Task<StripeTestbed> StartAsync(CancellationToken cancellationToken)
    {
        var clock = new FakeTimeProvider(Start);
        var fake = await StripeFake.StartAsync(clock, cancellationToken);
        var directory = Directory.CreateTempSubdirectory("tally-stripe-").FullName;
        var ledger = new TestLedger(new SqliteDialect(Path.Combine(directory, "ledger.db")), clock);
        var testbed = new StripeTestbed(directory, fake, ledger, clock);
        testbed.Options = new StripeOptions { BaseAddress = fake.BaseAddress, MaxNetworkRetries = 0, EncryptionKey = Convert.ToBase64String(new byte[32]) };
        return testbed;
    }

    public ApiKeyCipher Cipher() => new(Microsoft.Extensions.Options.Options.Create(Options), new StripeDataDirectory(directory));

    public StripeAccounts Accounts() => new(new StripeClients(Microsoft.Extensions.Options.Options.Create(Options)));

    public StripeApps Apps() => new(Ledger.PaymentApps, Accounts(), Cipher(), Clock, NullLogger<StripeApps>.Instance);

    public StripePaymentProcessor Processor(IPaymentObjectStore? objects = null) => new(
        Ledger.PaymentApps,
        objects ?? Ledger.PaymentObjects,
        Cipher(),
        new StripeClients(Microsoft.Extensions.Options.Options.Create(Options)),
        Microsoft.Extensions.Options.Options.Create(Options),
        Clock,
        NullLogger<StripePaymentProcessor>.Instance);

    /// <summary>A tenant with a customer (id returned) and, unless <paramref name="apiKey"/> is null, a Stripe app installed with that key.</summary>
    public async Task<(string TenantId, PaymentCustomer Customer)> TenantAsync(string name, string? apiKey = StripeFake.ApiKey)
    {
        var ct = TestContext.Current.CancellationToken;
        var tenantId = await LedgerScenario.TenantAsync(Ledger, name);
        var customer = LedgerScenario.Customer(tenantId, "alice", "alice") with { Name = "Alice Inc." };
        await Ledger.Customers.CreateAsync(customer, ct);
        if (apiKey is not null)
        {
            var (_, error) = await Apps().InstallAsync(tenantId, apiKey, null, ct);
            Assert.Null(error);
        }

        return (tenantId, new PaymentCustomer(customer.Id, customer.Key, customer.Name, Email: null));
    }

    public async Task<PaymentApp> AppAsync(string tenantId) =>
        (await Ledger.PaymentApps.FindByTypeAsync(tenantId, PaymentApp.StripeType, TestContext.Current.CancellationToken))!;

    /// <summary>October's invoice: 0.80 USD of input and 1,234.50 USD of output.</summary>
    public static PaymentDocument Invoice(string tenantId, PaymentCustomer customer, string period = "2026-10", Currency? currency = null, params PaymentLine[] lines) => new(
        tenantId,
        customer,
        PaymentDocumentKind.StandardInvoice,
        period,
        Ids.New("inv"),
        $"{period}-0001",
        new DateTimeOffset(int.Parse(period[..4], System.Globalization.CultureInfo.InvariantCulture), int.Parse(period[5..], System.Globalization.CultureInfo.InvariantCulture), 1, 0, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(int.Parse(period[..4], System.Globalization.CultureInfo.InvariantCulture), int.Parse(period[5..], System.Globalization.CultureInfo.InvariantCulture), 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1),
        currency ?? Currency.Usd,
        lines.Length > 0 ? lines : [new PaymentLine("input", "input-tokens: 400 x 0.002 USD", 400m, 0.80m), new PaymentLine("output", "output-tokens: 246900 x 0.005 USD", 246_900m, 1_234.50m)]);

    public async ValueTask DisposeAsync()
    {
        await Fake.DisposeAsync();
        await Ledger.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }
}
