using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Meters;
using Tally.Billing.Tenants;
using Tally.Ledger;
using Tally.ServiceDefaults;
using Xunit;

namespace Tally.Tests.Ledger;

public sealed class LedgerServiceCollectionExtensionsTests : IDisposable
{
    private readonly TallyPaths paths = new(Path.Combine(Path.GetTempPath(), "tally-ledger-di-tests", Guid.NewGuid().ToString("N")));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddTallyLedger_NoConnectionString_StoresInSqliteFileUnderDataDir()
    {
        await using var provider = Services(new Dictionary<string, string?>()).BuildServiceProvider();

        var (tenant, apiKey) = await provider.GetRequiredService<ITenantStore>().CreateAsync("Acme", Ct);

        Assert.IsType<SqliteDialect>(provider.GetRequiredService<LedgerDatabase>().Dialect);
        Assert.True(File.Exists(paths.Under("ledger.db")));
        Assert.Equal(tenant, await provider.GetRequiredService<ITenantStore>().FindByApiKeyAsync(apiKey, Ct));
        Assert.NotNull(provider.GetRequiredService<IMeterStore>());
        Assert.NotNull(provider.GetRequiredService<IPlanStore>());
        Assert.NotNull(provider.GetRequiredService<ICustomerStore>());
        Assert.NotNull(provider.GetRequiredService<IInvoiceStore>());
    }

    [Fact]
    public async Task AddTallyLedger_SqlitePath_UsesThatFile()
    {
        var file = paths.Under("elsewhere", "custom.db");
        await using var provider = Services(new() { ["Ledger:SqlitePath"] = file }).BuildServiceProvider();

        await provider.GetRequiredService<LedgerDatabase>().MigrateAsync(Ct);

        Assert.Equal(file, provider.GetRequiredService<LedgerDatabase>().Dialect.Target);
        Assert.True(File.Exists(file));
    }

    [Fact]
    public async Task AddTallyLedger_ConnectionString_UsesPostgres()
    {
        await using var provider = Services(new() { ["Ledger:ConnectionString"] = "Host=db.internal;Database=tally;Username=tally;Password=secret" }).BuildServiceProvider();

        var dialect = provider.GetRequiredService<LedgerDatabase>().Dialect;

        Assert.IsType<PostgresDialect>(dialect);
        Assert.Equal("db.internal:5432/tally", dialect.Target);
    }

    [Fact]
    public async Task HostStart_MalformedConnectionString_FailsNamingTheKey()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Ledger:ConnectionString"] = "this is not a connection string" });
        builder.Services.AddTallyLedger(builder.Configuration, paths.DataDirectory);
        using var host = builder.Build();

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Ledger:ConnectionString", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTallyLedger_AfterOtherHostedServices_PutsMigrationFirst()
    {
        var services = new ServiceCollection();
        services.AddHostedService<IdleService>();

        services.AddTallyLedger(new ConfigurationBuilder().Build(), paths.DataDirectory);
        services.AddTallyLedger(new ConfigurationBuilder().Build(), paths.DataDirectory);

        var hosted = services.Where(d => d.ServiceType == typeof(IHostedService)).Select(d => d.ImplementationType).ToList();
        Assert.Equal([typeof(LedgerMigrationService), typeof(IdleService)], hosted);
    }

    public void Dispose()
    {
        if (Directory.Exists(paths.DataDirectory))
        {
            Directory.Delete(paths.DataDirectory, recursive: true);
        }
    }

    private ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTallyLedger(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), paths.DataDirectory);
        return services;
    }

    private sealed class IdleService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
