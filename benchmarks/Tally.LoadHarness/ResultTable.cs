using System.Globalization;
using System.Text;

namespace Tally.LoadHarness;

/// <summary>The markdown report: one row per run and the median of each column (the box is noisy).</summary>
public static class ResultTable
{
    public static string Render(IReadOnlyList<RunResult> runs)
    {
        var table = new StringBuilder()
            .AppendLine("| run | events | ingest events/s | p50 ms | p99 ms | end-to-end events/s | counted at ingest end | bare log append events/s | ratio ingest/append | result |")
            .AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var run in runs)
        {
            table.AppendLine(Row(run.Name, run.Events, run.IngestEventsPerSecond, run.P50Ms, run.P99Ms, run.EndToEndEventsPerSecond,
                N0(run.CountAtIngestEnd), run.AppendEventsPerSecond, run.Ratio, run.Failure is null ? "ok" : "**FAIL**"));
        }

        var endToEnd = runs.Where(r => r.EndToEndEventsPerSecond is not null).Select(r => r.EndToEndEventsPerSecond!.Value).ToList();
        table.AppendLine(Row("**median**", runs[0].Events,
            Median(runs.Select(r => r.IngestEventsPerSecond)),
            Median(runs.Select(r => r.P50Ms)),
            Median(runs.Select(r => r.P99Ms)),
            endToEnd.Count == 0 ? null : Median(endToEnd),
            "",
            Median(runs.Select(r => r.AppendEventsPerSecond)),
            Median(runs.Select(r => r.Ratio)),
            runs.All(r => r.Failure is null) ? "ok" : $"**{runs.Count(r => r.Failure is not null)} FAILED**"));
        return table.ToString();
    }

    private static string Row(string name, long events, double ingest, double p50, double p99, double? endToEnd, string counted, double append, double ratio, string result) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {events:N0} | {ingest:N0} | {p50:F1} | {p99:F1} | {(endToEnd is { } e ? e.ToString("N0", CultureInfo.InvariantCulture) : "—")} | {counted} | {append:N0} | {ratio:F2} | {result} |");

    private static string N0(decimal value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
