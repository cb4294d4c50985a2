using System.Globalization;

namespace Tally.Bench.Report;

/// <summary>The issue's goals, judged on a run's figures.</summary>
public static class Goals
{
    public const double EndToEndEventsPerSecond = 1_000_000;
    public const double StageShareOfBaseline = 0.6;
    public const double AckP99Milliseconds = 20;
    public const double FreshnessP99Milliseconds = 1000;

    public static IReadOnlyList<GoalReport> Judge(IReadOnlyList<PhaseReport> phases, IReadOnlyList<StageReport> stages)
    {
        var goals = new List<GoalReport>();
        var closed = phases.FirstOrDefault(p => p.TargetEventsPerSecond is null);
        var open = phases.FirstOrDefault(p => p.TargetEventsPerSecond is not null);
        goals.Add(closed?.EndToEndPerSecond is { } endToEnd
            ? new GoalReport("≥ 1,000,000 events/s end to end", $"{N(endToEnd)} events/s", endToEnd >= EndToEndEventsPerSecond)
            : new GoalReport("≥ 1,000,000 events/s end to end", "not measured (no closed-loop phase)", null));
        foreach (var stage in stages)
        {
            goals.Add(new GoalReport($"{stage.Stage} ≥ 60% of {stage.Baseline}", (stage.Ratio * 100).ToString("F0", CultureInfo.InvariantCulture) + "%", stage.Ratio >= StageShareOfBaseline));
        }

        if (open is not null)
        {
            var half = closed?.EndToEndPerSecond is { } sustained && Math.Abs(open.TargetEventsPerSecond!.Value - (sustained / 2)) <= 1;
            goals.Add(new GoalReport(
                half ? "p99 ack < 20 ms at half the maximum rate" : $"p99 ack < 20 ms at {N(open.TargetEventsPerSecond!.Value)} events/s",
                $"{F(open.AckLatencyMs.P99)} ms",
                open.AckLatencyMs.P99 < AckP99Milliseconds));
        }
        else
        {
            goals.Add(new GoalReport("p99 ack < 20 ms at half the maximum rate", "not measured (no open-loop phase)", null));
        }

        var freshness = (open ?? closed)?.FreshnessMs;
        goals.Add(freshness is { Count: > 0 }
            ? new GoalReport($"freshness p99 < 1 s ({(open is null ? "closed" : "open")} loop)", $"{F(freshness.P99)} ms", freshness.P99 < FreshnessP99Milliseconds)
            : new GoalReport("freshness p99 < 1 s", "not measured", null));
        return goals;
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
}
