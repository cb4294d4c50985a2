using System.Globalization;
using Spectre.Console;

namespace Tally.Bench.Report;

/// <summary>The report as tables on the terminal.</summary>
public static class ReportConsole
{
    public static void Write(BenchReport report)
    {
        AnsiConsole.MarkupLine($"[bold]tally bench[/] {Markup.Escape(report.Profile)} — {Markup.Escape(report.Target)}");
        AnsiConsole.MarkupLine(Markup.Escape($"{report.Machine}; load average {F(report.LoadAverage[0])} at start, {F(report.LoadAverage[^1])} at end"));

        var phases = new Table().AddColumns("phase", "events", "acked events/s", "end-to-end events/s", "catch-up s", "ack p50 / p99 / p99.9 / max ms", "freshness p50 / p99 / max ms", "result");
        foreach (var phase in report.Phases)
        {
            phases.AddRow(
                Markup.Escape(phase.Mode + (phase.TargetEventsPerSecond is { } rate ? $" at {N(rate)}/s" : "")),
                N(phase.Events),
                N(phase.AcknowledgedPerSecond),
                phase.EndToEndPerSecond is { } e ? N(e) : "—",
                phase.CatchUpSeconds is { } c ? F(c) : "—",
                $"{F(phase.AckLatencyMs.P50)} / {F(phase.AckLatencyMs.P99)} / {F(phase.AckLatencyMs.P999)} / {F(phase.AckLatencyMs.Max)}",
                phase.FreshnessMs is { } f ? $"{F(f.P50)} / {F(f.P99)} / {F(f.Max)} ({f.Count} probes)" : "—",
                phase.Failure is null ? "ok" : $"[red]FAILED[/]: {Markup.Escape(phase.Failure)}");
        }

        AnsiConsole.Write(phases);
        foreach (var phase in report.Phases.Where(p => p.AggregatorCycle.Count > 0))
        {
            var busy = phase.AggregatorCycle.Sum(c => c.TotalSeconds);
            var cycle = new Table().AddColumns($"aggregator cycle, {Markup.Escape(phase.Mode)}", "times", "total s", "mean ms", "share");
            foreach (var step in phase.AggregatorCycle)
            {
                cycle.AddRow(Markup.Escape(step.Phase), N(step.Count), F(step.TotalSeconds, "F2"), F(step.MeanMs, "F2"), F(busy > 0 ? step.TotalSeconds / busy : 0, "P0"));
            }

            AnsiConsole.Write(cycle);
        }

        var stages = new Table().AddColumns("stage", "events/s", "baseline (same run)", "baseline events/s", "ratio");
        foreach (var stage in report.Stages)
        {
            stages.AddRow(Markup.Escape(stage.Stage), N(stage.EventsPerSecond), Markup.Escape(stage.Baseline), N(stage.BaselinePerSecond), F(stage.Ratio, "F2"));
        }

        AnsiConsole.Write(stages);
        var processes = new Table().AddColumns("process", "CPU s", "mean CPU % (100 = 1 core)", "peak RSS MiB");
        foreach (var process in report.Processes)
        {
            processes.AddRow(Markup.Escape(process.Stage), F(process.CpuSeconds), F(process.MeanCpuPercent), F(process.PeakRssMiB));
        }

        AnsiConsole.Write(processes);
        var bytes = report.BytesPerEvent;
        AnsiConsole.MarkupLine(Markup.Escape($"bytes per event: HTTP {B(bytes.WireHttp)}, gRPC {B(bytes.WireGrpc)}, event log {B(bytes.Log)}, ClickHouse {B(bytes.ClickHouse)}"));
        var goals = new Table().AddColumns("goal", "measured", "met");
        foreach (var goal in report.Goals)
        {
            goals.AddRow(Markup.Escape(goal.Goal), Markup.Escape(goal.Measured), goal.Met switch { true => "[green]yes[/]", false => "[red]no[/]", null => "—" });
        }

        AnsiConsole.Write(goals);
        var correctness = report.Correctness;
        if (correctness.Passed)
        {
            AnsiConsole.MarkupLine($"[green]correct[/]: {correctness.MetersChecked} meters equal the generator's totals ({N(correctness.EventsCounted)} events counted of {N(correctness.EventsSent)} sent, re-sends and late events included)");
        }
        else
        {
            AnsiConsole.MarkupLine($"[red bold]WRONG TOTALS[/]: {correctness.Mismatches.Count} of {correctness.MetersChecked} meters differ from the generator's totals:");
            foreach (var mismatch in correctness.Mismatches.Take(50))
            {
                AnsiConsole.MarkupLine("  [red]" + Markup.Escape(mismatch) + "[/]");
            }
        }
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value, string format = "F1") => double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "—";

    private static string B(double? value) => value is { } v ? v.ToString("F0", CultureInfo.InvariantCulture) + " B" : "n/a";
}
