using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Entitlements;
using Tally.Billing.Invoices;
using Tally.Billing.Meters;
using Tally.Billing.Notifications;
using Tally.Billing.Payments;
using Tally.Billing.Portal;
using Tally.Billing.Subscriptions;
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
        Invoices = new SqlInvoiceStore(Database);
        CloseRuns = new SqlCloseRunStore(Database);
        Outbox = new SqlBillingOutbox(Database);
        PortalTokens = new SqlPortalTokenStore(Database);
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

    public IFeatureStore Features { get; }

    public ISubscriptionStore Subscriptions { get; }

    public IEntitlementStore Entitlements { get; }

    public INotificationStore Notifications { get; }

    public IGrainStateStore GrainStates { get; }

    public ICloseRunStore CloseRuns { get; }

    public IBillingOutbox Outbox { get; }

    public IPortalTokenStore PortalTokens { get; }

    public IPaymentAppStore PaymentApps { get; }

    public IPaymentObjectStore PaymentObjects { get; }

    public ValueTask DisposeAsync() => Database.DisposeAsync();

    /// <summary>Applies the migrations up to <paramref name="upToVersion"/> only, then runs <paramref name="sql"/>: a database as an older Tally left it.</summary>
    public async Task MigrateOnlyAsync(int upToVersion, string sql)
    {
        var ct = TestContext.Current.CancellationToken;
        var dialect = Database.Dialect;
        await using var connection = await dialect.OpenAsync(ct);
        await dialect.PrepareAsync(connection, ct);
        await Dapper.SqlMapper.ExecuteAsync(connection, LedgerMigrations.CreateHistoryTable.Replace("{instant}", dialect.InstantType, StringComparison.Ordinal));
        foreach (var migration in LedgerMigrations.All.Where(m => m.Version <= upToVersion))
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, migration.For(dialect));
            await Dapper.SqlMapper.ExecuteAsync(
                connection,
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)",
                new { Version = (long)migration.Version, migration.Name, AppliedAt = dialect.Instant(Now) });
        }

        await Dapper.SqlMapper.ExecuteAsync(connection, sql);
    }
}
