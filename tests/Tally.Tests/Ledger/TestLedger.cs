using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Entitlements;
using Tally.Billing.Notifications;
using Tally.Billing.Subscriptions;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Meters;
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
        Features = new SqlFeatureStore(Database);
        var entitlements = new SqlEntitlementStore(Database);
        Entitlements = entitlements;
        Subscriptions = new SqlSubscriptionStore(Database, entitlements);
        Notifications = new SqlNotificationStore(Database);
        GrainStates = new SqlGrainStateStore(Database);
        Invoices = new SqlInvoiceStore(Database, NullLogger<SqlInvoiceStore>.Instance);
    }

    public static DateTimeOffset Now { get; } = new(2026, 11, 25, 9, 30, 15, TimeSpan.Zero);

    public static FakeTimeProvider Clock() => new(Now);

    public LedgerDatabase Database { get; }

    public ITenantStore Tenants { get; }

    public IMeterStore Meters { get; }

    public IPlanStore Plans { get; }

    public ICustomerStore Customers { get; }

    public IInvoiceStore Invoices { get; }

    public IFeatureStore Features { get; }

    public ISubscriptionStore Subscriptions { get; }

    public IEntitlementStore Entitlements { get; }

    public INotificationStore Notifications { get; }

    public IGrainStateStore GrainStates { get; }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
