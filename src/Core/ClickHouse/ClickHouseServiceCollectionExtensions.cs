using System.Security.Cryptography;
using ClickHouse.Driver.ADO;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tally.Core.ClickHouse;

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
        TallyPaths paths)
    {
        services.AddOptions<ClickHouseOptions>()
            .Bind(configuration.GetSection(ClickHouseOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Database), "ClickHouse:Database must not be empty.")
            .Validate(o => o.EmbeddedPort is >= 0 and <= 65535, "ClickHouse:EmbeddedPort must be between 0 and 65535.")
            .Validate(o => o.ConnectionString is null || IsValidConnectionString(o.ConnectionString), "ClickHouse:ConnectionString is not a valid ClickHouse.Driver connection string.")
            .ValidateOnStart();

        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
            var password = ReadOrCreatePassword(paths.Under("clickhouse.secret"));
            // chDB boots synchronously anyway; resolving the singleton is the start.
            return EmbeddedClickHouse.StartAsync(
                    options.DataDirectory ?? paths.Under("clickhouse"),
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

        return services;
    }

    private static bool IsValidConnectionString(string connectionString)
    {
        try
        {
            _ = new ClickHouseConnectionStringBuilder(connectionString).ToSettings();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
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
