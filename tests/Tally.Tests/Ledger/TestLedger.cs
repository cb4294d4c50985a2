using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Meters;
using Tally.Billing.Payments;
using Tally.Billing.Tenants;
using Tally.Ledger;
using Xunit;

namespace Tally.Tests.Ledger;

/// <summary>The stores over one <see cref="LedgerDatabase"/>, as the DI registration would wire them.</summary>
internal sealed class TestLedger : IAsyncDisposable
{
    public TestLedger(LedgerDialect dialect, TimeProvider time)
    {
        Database = new LedgerDatabase(dialect, time, NullLogger<LedgerDatabase>.Instance);
        Tenants = new SqlTenantStore(Database, time, NullLogger<SqlTenantStore>.Instance);
        Meters = new SqlMeterStore(Database);
        Plans = new SqlPlanStore(Database);
        Customers = new SqlCustomerStore(Database);
        Invoices = new SqlInvoiceStore(Database, NullLogger<SqlInvoiceStore>.Instance);
        PaymentApps = new SqlPaymentAppStore(Database);
        PaymentObjects = new SqlPaymentObjectStore(Database);
    }

    public static DateTimeOffset Now { get; } = new(2026, 11, 25, 9, 30, 15, TimeSpan.Zero);

    public static FakeTimeProvider Clock() => new(Now);

    public LedgerDatabase Database { get; }

    public ITenantStore Tenants { get; }

    public IMeterStore Meters { get; }

    public IPlanStore Plans { get; }

    public ICustomerStore Customers { get; }

    public IInvoiceStore Invoices { get; }

    public IPaymentAppStore PaymentApps { get; }

    public IPaymentObjectStore PaymentObjects { get; }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
