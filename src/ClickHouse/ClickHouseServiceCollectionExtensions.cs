using System.Security.Cryptography;
using ClickHouse.Driver.ADO;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing.Usage;
using Tally.ClickHouse.Embedded;
using Tally.ClickHouse.Usage;

namespace Tally.ClickHouse;

/// <summary>Registers Tally's ClickHouse transport.</summary>
public static class ClickHouseServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="ClickHouseOptions"/> (section <c>ClickHouse</c>, validated at start) and registers
    /// <see cref="IClickHouse"/>: ClickHouse.Driver on <c>ClickHouse:ConnectionString</c> when set, otherwise
    /// on an <see cref="EmbeddedClickHouse"/> (also registered, disposed by the container after the client,
    /// so chDB closes last) under <c>ClickHouse:DataDirectory</c> or <c>{data-dir}/clickhouse</c>.
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

        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
            var password = ReadOrCreatePassword(Path.Combine(dataDirectory, "clickhouse.secret"));
            // chDB boots synchronously anyway; resolving the singleton is the start.
            return EmbeddedClickHouse.StartAsync(
                    options.DataDirectory ?? Path.Combine(dataDirectory, "clickhouse"),
                    options.ChdbLibraryPath,
                    options.EmbeddedPort,
                    password,
                    provider.GetRequiredService<ILoggerFactory>(),
                    CancellationToken.None)
                .GetAwaiter().GetResult();
        });

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

            var embedded = provider.GetRequiredService<EmbeddedClickHouse>();
            var builder = new ClickHouseConnectionStringBuilder(embedded.ConnectionString) { Database = options.Database };
            return new DriverClickHouse(builder.ConnectionString, logger);
        });

        // The usage tables: created at start (hosted), written by the aggregator, read by queries and rating.
        services.AddSingleton<UsageSchema>();
        services.AddHostedService(provider => provider.GetRequiredService<UsageSchema>());
        services.AddSingleton<IUsageWriter, UsageWriter>();
        services.AddSingleton<IUsageReader, UsageReader>();
        services.AddSingleton<IMeterQueryReader, MeterQueryReader>();
        return services;
    }

    /// <summary>Reads the embedded engine's password, generating it (owner-only, 0600) on first start.</summary>
    internal static string ReadOrCreatePassword(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var temporary = path + "." + Environment.ProcessId + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, options))
        {
            writer.Write(password);
        }

        try
        {
            // No overwrite: when two processes race, the first one's password wins for both.
            File.Move(temporary, path, overwrite: false);
            return password;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return File.ReadAllText(path).Trim();
        }
    }
}
