using System.Security.Cryptography;
using ClickHouse.Driver.ADO;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing.Events;
using Tally.Billing.Usage;
using Tally.ClickHouse.Embedded;
using Tally.ClickHouse.Events;
using Tally.ClickHouse.Usage;

namespace Tally.ClickHouse;

/// <summary>Registers Tally's ClickHouse transport.</summary>
public static class ClickHouseServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="ClickHouseOptions"/> (section <c>ClickHouse</c>, validated at start) and registers
    /// <see cref="IClickHouse"/>: ClickHouse.Driver on <c>ClickHouse:ConnectionString</c> when set, otherwise
    /// on embedded chDB in a supervised child process (<see cref="EmbeddedClickHouseProcess"/>, a hosted
    /// service started before the usage schema) with its data under <c>ClickHouse:DataDirectory</c> or
    /// <c>{data-dir}/clickhouse</c>; the host registers the <see cref="EmbeddedClickHouseCommand"/> that starts it.
    /// </summary>
    public static IServiceCollection AddTallyClickHouse(
        this IServiceCollection services,
        IConfiguration configuration,
        string dataDirectory)
    {
        services.AddOptions<ClickHouseOptions>()
            .Bind(configuration.GetSection(ClickHouseOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Without a server, embedded chDB runs as a supervised child process (`tally clickhouse`), never in this one.
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
            return new EmbeddedClickHouseProcess(
                provider.GetRequiredService<EmbeddedClickHouseCommand>(),
                options.DataDirectory ?? Path.Combine(dataDirectory, "clickhouse"),
                options.EmbeddedPort == 0 ? FreeLoopbackPort() : options.EmbeddedPort,
                EmbeddedClickHouseSecret.ReadOrCreate(Path.Combine(dataDirectory, "clickhouse.secret")),
                options.ChdbLibraryPath,
                provider.GetService<TimeProvider>() ?? TimeProvider.System,
                provider.GetRequiredService<ILogger<EmbeddedClickHouseProcess>>());
        });
        if (string.IsNullOrWhiteSpace(configuration[$"{ClickHouseOptions.SectionName}:{nameof(ClickHouseOptions.ConnectionString)}"]))
        {
            services.AddHostedService(provider => provider.GetRequiredService<EmbeddedClickHouseProcess>());
        }

        services.AddSingleton<IClickHouse>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
            var logger = provider.GetRequiredService<ILogger<DriverClickHouse>>();
            if (!string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                var server = new ClickHouseConnectionStringBuilder(options.ConnectionString);
                if (!server.ContainsKey("Database"))
                {
                    server.Database = options.Database;
                }

                return new DriverClickHouse(server.ConnectionString, logger);
            }

            var embedded = provider.GetRequiredService<EmbeddedClickHouseProcess>();
            var builder = new ClickHouseConnectionStringBuilder(embedded.ConnectionString) { Database = options.Database };
            return new DriverClickHouse(builder.ConnectionString, logger);
        });

        // The usage store: tables created at start (hosted), events written by the aggregator, read by queries and rating.
        services.AddSingleton<UsageSchema>();
        services.AddHostedService(provider => provider.GetRequiredService<UsageSchema>());
        services.AddSingleton<IEventStore, EventStore>();
        services.AddSingleton<IUsageReader, UsageReader>();
        services.AddSingleton<IUsageRollups, UsageRollups>();
        services.AddSingleton<IMeterQueryReader, MeterQueryReader>();
        services.AddSingleton<Billing.Closing.IClosingUsage, ClosingUsage>();
        services.AddSingleton<IUsageSnapshotReader, UsageSnapshotReader>();
        return services;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
