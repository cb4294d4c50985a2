using System.Globalization;
using Tally.Bench.Generation;

namespace Tally.Bench;

/// <summary>
/// How the bench starts Tally: <see cref="OneProcess"/> is <c>tally up</c>'s layout (gateway, aggregator and API
/// in one process over the embedded log); <see cref="Stages"/> runs each stage in a process of its own over
/// librdkafka's mock Kafka cluster (the embedded log belongs to one process), so each stage's CPU and memory
/// are measured apart.
/// </summary>
public enum BenchLayout
{
    OneProcess,
    Stages,
}

/// <summary>What <c>tally bench</c> was asked to do.</summary>
public sealed record BenchOptions
{
    public LoadProfile Profile { get; init; } = LoadProfile.Small;

    /// <summary>How long each load phase lasts.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Open loop only, at this many events per second; null: closed loop, then open loop at half its rate.</summary>
    public long? Rate { get; init; }

    public Uri? Against { get; init; }

    /// <summary>How the Tally this bench starts is laid out in processes (ignored with <see cref="Against"/>).</summary>
    public BenchLayout Layout { get; init; } = BenchLayout.OneProcess;

    public string? AdminToken { get; init; }

    public Uri? GrpcUrl { get; init; }

    public string? ClickHouse { get; init; }

    public string? JsonFile { get; init; }

    public string? PlotFile { get; init; }

    /// <summary>At most this many of the run's events are replayed through the baselines.</summary>
    public long BaselineEvents { get; init; } = 1_000_000;

    public ulong Seed { get; init; } = 20261127;

    /// <summary>"60s", "2m", "1h" or a bare number of seconds.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var trimmed = text.Trim();
        var (number, unit) = trimmed.Length > 0 && char.IsLetter(trimmed[^1])
            ? (trimmed[..^1], char.ToLowerInvariant(trimmed[^1]))
            : (trimmed, 's');
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0 || unit is not ('s' or 'm' or 'h'))
        {
            throw new ArgumentException($"--duration: '{text}' is not a duration such as 60s, 2m or 1h.");
        }

        return unit switch
        {
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            _ => TimeSpan.FromSeconds(value),
        };
    }
}
