using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.ClickHouse;
using Tally.ClickHouse.Embedded;

namespace Tally.UsageBench;

/// <summary>What every measurement shares: an embedded ClickHouse child, fresh databases, percentiles.</summary>
internal static class Bench
{
    public static async Task<EmbeddedClickHouseProcess> StartClickHouseAsync(string directory)
    {
        var engine = new EmbeddedClickHouseProcess(
            new EmbeddedClickHouseCommand("dotnet", [Path.Combine(AppContext.BaseDirectory, "tally.dll"), "clickhouse", "--data-dir", directory]),
            Path.Combine(directory, "clickhouse"),
            Tally.Host.Hosting.FreePorts.Next(),
            "bench",
            null,
            TimeProvider.System,
            NullLogger<EmbeddedClickHouseProcess>.Instance);
        await engine.StartAsync(CancellationToken.None);
        return engine;
    }

    public static DriverClickHouse Database(EmbeddedClickHouseProcess engine, string name) =>
        new(engine.ConnectionString.Replace("Database=default", $"Database={name}", StringComparison.Ordinal), NullLogger<DriverClickHouse>.Instance);

    /// <summary>Nearest-rank percentile of an ascending array.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }

    public static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string F(double value, int decimals = 1) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    public static long PeakRssMegabytes()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / (1024 * 1024);
    }
}
