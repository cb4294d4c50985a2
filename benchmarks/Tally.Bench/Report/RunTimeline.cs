using System.Globalization;

namespace Tally.Bench.Report;

/// <summary>What the bench read once a second: cumulative counters, so rates come from consecutive snapshots.</summary>
public sealed record Snapshot(double Second, long Acknowledged, double? Committed, IReadOnlyDictionary<string, (double CpuSeconds, long RssBytes)> Processes);

/// <summary>Turns the once-a-second snapshots into the report's timeline and per-process figures.</summary>
public static class RunTimeline
{
    private const double MiB = 1024 * 1024;

    /// <summary>Points averaged in the throughput chart, so that batch commits do not alias against the one-second samples.</summary>
    public const int SmoothingSeconds = 5;

    /// <summary>Each point's y replaced by the mean of it and the <see cref="SmoothingSeconds"/> - 1 points before it.</summary>
    public static IReadOnlyList<(double X, double Y)> MovingAverage(IReadOnlyList<(double X, double Y)> points) =>
        [.. points.Select((p, i) => (p.X, Math.Round(points.Skip(Math.Max(0, i - SmoothingSeconds + 1)).Take(Math.Min(i + 1, SmoothingSeconds)).Average(q => q.Y), 1)))];

    public static IReadOnlyList<TimelinePoint> Points(IReadOnlyList<Snapshot> snapshots, IReadOnlyList<(double At, double Milliseconds)> freshness)
    {
        var points = new List<TimelinePoint>();
        for (var i = 1; i < snapshots.Count; i++)
        {
            var (before, now) = (snapshots[i - 1], snapshots[i]);
            var seconds = now.Second - before.Second;
            if (seconds <= 0)
            {
                continue;
            }

            var cpu = now.Processes
                .Where(p => before.Processes.ContainsKey(p.Key))
                .ToDictionary(p => p.Key, p => Math.Round((p.Value.CpuSeconds - before.Processes[p.Key].CpuSeconds) / seconds * 100, 1));
            var fresh = freshness.Where(f => f.At > before.Second && f.At <= now.Second).Select(f => f.Milliseconds).ToList();
            points.Add(new TimelinePoint(
                Math.Round(now.Second, 3),
                Math.Round((now.Acknowledged - before.Acknowledged) / seconds),
                now.Committed is { } c && before.Committed is { } b ? Math.Round((c - b) / seconds) : null,
                cpu,
                now.Processes.ToDictionary(p => p.Key, p => Math.Round(p.Value.RssBytes / MiB, 1)),
                fresh.Count == 0 ? null : Math.Round(fresh.Max(), 1)));
        }

        return points;
    }

    /// <summary>Each process's CPU between the first and last snapshot of [<paramref name="from"/>, <paramref name="to"/>] seconds, and its peak memory.</summary>
    public static IReadOnlyList<ProcessReport> Processes(IReadOnlyList<Snapshot> snapshots, double from, double to, IReadOnlyDictionary<string, long> peakRss)
    {
        var window = snapshots.Where(s => s.Second >= from && s.Second <= to).ToList();
        if (window.Count < 2)
        {
            return [];
        }

        var (first, last) = (window[0], window[^1]);
        return [.. last.Processes.Where(p => first.Processes.ContainsKey(p.Key)).Select(p =>
        {
            var cpu = p.Value.CpuSeconds - first.Processes[p.Key].CpuSeconds;
            return new ProcessReport(p.Key, Math.Round(cpu, 2), Math.Round(cpu / (last.Second - first.Second) * 100, 1), Math.Round(peakRss.GetValueOrDefault(p.Key) / MiB, 1));
        })];
    }

    /// <summary>The run's SVG: <see cref="Panels"/> with a marker where each phase starts.</summary>
    public static string Plot(BenchReport report) =>
        SvgPlot.Render(
            string.Create(CultureInfo.InvariantCulture, $"{report.Command} — {report.StartedAt:yyyy-MM-dd}, load average {report.LoadAverage[0]:F1} → {report.LoadAverage[^1]:F1}"),
            Panels(report.Timeline),
            [.. report.Phases.Select(p => new PlotMarker(p.StartSecond, p.Mode))]);

    /// <summary>The two stacked charts of the SVG: throughput (acknowledged and committed) and CPU per process, plus freshness.</summary>
    public static IReadOnlyList<PlotPanel> Panels(IReadOnlyList<TimelinePoint> points)
    {
        var throughput = new List<PlotSeries>
        {
            new("acknowledged events/s", MovingAverage([.. points.Select(p => (p.Second, p.AcknowledgedPerSecond))])),
        };
        if (points.Any(p => p.CommittedPerSecond is not null))
        {
            throughput.Add(new PlotSeries("stored (aggregator) records/s", MovingAverage([.. points.Where(p => p.CommittedPerSecond is not null).Select(p => (p.Second, p.CommittedPerSecond!.Value))])));
        }

        var stages = points.SelectMany(p => p.CpuPercent.Keys).Distinct().ToList();
        return
        [
            new PlotPanel($"Throughput ({SmoothingSeconds} s moving average: the aggregator commits batches of up to 20,000 records)", "events/s", throughput),
            new PlotPanel("CPU per process (100% = one core)", "CPU %", [.. stages.Select(stage =>
                new PlotSeries(stage, [.. points.Where(p => p.CpuPercent.ContainsKey(stage)).Select(p => (p.Second, p.CpuPercent[stage]))]))]),
            new PlotPanel("Freshness: acknowledged → queryable (slowest probe of each second)", "ms",
                [new PlotSeries("freshness ms", [.. points.Where(p => p.FreshnessMs is not null).Select(p => (p.Second, p.FreshnessMs!.Value))])]),
        ];
    }
}
