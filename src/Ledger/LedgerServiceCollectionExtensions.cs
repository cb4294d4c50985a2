using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Entitlements;
using Tally.Billing.Invoices;
using Tally.Billing.Meters;
using Tally.Billing.Notifications;
using Tally.Billing.Payments;
using Tally.Billing.Portal;
using Tally.Billing.Subscriptions;
using Tally.Billing.Tenants;

namespace Tally.Ledger;

/// <summary>Registers the ledger: PostgreSQL when <c>Ledger:ConnectionString</c> is set, an embedded SQLite file otherwise.</summary>
public static class LedgerServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="LedgerOptions"/> (section <c>Ledger</c>) at start, and registers
    /// <see cref="ITenantStore"/>, <see cref="IMeterStore"/>, <see cref="IPlanStore"/>,
    /// <see cref="ICustomerStore"/>, <see cref="IFeatureStore"/>, <see cref="ISubscriptionStore"/>, <see cref="IEntitlementStore"/>, <see cref="IInvoiceStore"/>,
    /// <see cref="IPortalTokenStore"/>, <see cref="IPaymentAppStore"/> and <see cref="IPaymentObjectStore"/> as singletons over one database.
    /// Migrations run in a hosted service placed ahead of every other one, so a host fails at start
    /// on a broken ledger; without a host they run on the first store call.
    /// </summary>
    public static IServiceCollection AddTallyLedger(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);

        services.AddOptions<LedgerOptions>()
            .Bind(configuration.GetSection(LedgerOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp => new LedgerDatabase(
            CreateDialect(sp.GetRequiredService<IOptions<LedgerOptions>>().Value, dataDirectory),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LedgerDatabase>>()));
        services.TryAddSingleton<ITenantStore, SqlTenantStore>();
        services.TryAddSingleton<IMeterStore, SqlMeterStore>();
        services.TryAddSingleton<IPlanStore, SqlPlanStore>();
        services.TryAddSingleton<ICustomerStore, SqlCustomerStore>();
        services.TryAddSingleton<IFeatureStore, SqlFeatureStore>();
        services.TryAddSingleton<SqlEntitlementStore>();
        services.TryAddSingleton<IEntitlementStore>(sp => sp.GetRequiredService<SqlEntitlementStore>());
        services.TryAddSingleton<ISubscriptionStore, SqlSubscriptionStore>();
        services.TryAddSingleton<INotificationStore, SqlNotificationStore>();
        services.TryAddSingleton<IGrainStateStore, SqlGrainStateStore>();
        services.TryAddSingleton<IInvoiceStore, SqlInvoiceStore>();
        services.TryAddSingleton<Billing.Closing.ICloseRunStore, SqlCloseRunStore>();
        services.TryAddSingleton<Billing.Closing.IBillingOutbox, SqlBillingOutbox>();
        services.TryAddSingleton<IPortalTokenStore, SqlPortalTokenStore>();
        services.TryAddSingleton<IPaymentAppStore, SqlPaymentAppStore>();
        services.TryAddSingleton<IPaymentObjectStore, SqlPaymentObjectStore>();

        // Hosted services start in registration order; first place means the schema is current before any stage runs.
        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(LedgerMigrationService)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, LedgerMigrationService>());
        }

        return services;
    }

    internal static LedgerDialect CreateDialect(LedgerOptions options, string dataDirectory) =>
        string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new SqliteDialect(string.IsNullOrWhiteSpace(options.SqlitePath) ? Path.Combine(Path.GetFullPath(dataDirectory), "ledger.db") : Path.GetFullPath(options.SqlitePath))
            : new PostgresDialect(options.ConnectionString);
}
