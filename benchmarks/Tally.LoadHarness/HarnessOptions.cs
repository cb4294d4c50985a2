using System.Globalization;

namespace Tally.LoadHarness;

/// <summary>Command-line settings; the defaults finish in a few minutes on a 2-core box.</summary>
public sealed record HarnessOptions
{
    public int Events { get; init; } = 200_000;

    public int Batch { get; init; } = 100;

    public int Concurrency { get; init; } = 8;

    public int Runs { get; init; } = 3;

    /// <summary>Events of an unreported first pass, so the measured runs do not pay for JIT and cold chDB caches.</summary>
    public int WarmupEvents { get; init; } = 10_000;

    /// <summary>Distinct subjects (customers); each one's events stay in one log partition.</summary>
    public int Subjects { get; init; } = 100;

    /// <summary>Upper bound on one run's wait for the aggregator to catch up.</summary>
    public TimeSpan EndToEndTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The in-process server's minimum log level. Warning by default: Tally sets no level itself, so at
    /// Information ASP.NET Core writes two console lines per request, which would be measured as well.
    /// </summary>
    public string ServerLogLevel { get; init; } = "Warning";

    public static HarnessOptions Parse(string[] args)
    {
        var options = new HarnessOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--events" => options with { Events = Positive(args[i], value) },
                "--batch" => options with { Batch = Positive(args[i], value) },
                "--concurrency" => options with { Concurrency = Positive(args[i], value) },
                "--runs" => options with { Runs = Positive(args[i], value) },
                "--warmup" => options with { WarmupEvents = int.Parse(value, CultureInfo.InvariantCulture) },
                "--subjects" => options with { Subjects = Positive(args[i], value) },
                "--e2e-timeout-seconds" => options with { EndToEndTimeout = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--server-log-level" => options with { ServerLogLevel = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --events --batch --concurrency --runs --warmup --subjects --e2e-timeout-seconds --server-log-level"),
            };
            i++;
        }

        return options.Batch > 10_000 ? throw new ArgumentException("--batch: Tally accepts at most 10000 events per request.") : options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{name} must be a positive integer, got '{value}'.");
}
