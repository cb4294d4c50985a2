using System.Globalization;

namespace Tally.Bench.Target;

/// <summary>Reads a counter out of Prometheus's text exposition format (what Tally serves at <c>/metrics</c>).</summary>
public static class PrometheusText
{
    /// <summary>
    /// The sum of every series of <paramref name="metric"/> (all label sets), or null when the text has none.
    /// OpenTelemetry's exporter names the counter <c>tally.aggregator.records</c> <c>tally_aggregator_records_total</c>.
    /// </summary>
    public static double? Sum(string text, string metric)
    {
        double? total = null;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith(metric, StringComparison.Ordinal) || line.Length == metric.Length || line[metric.Length] is not ('{' or ' '))
            {
                continue;
            }

            // name{labels} value [timestamp]: the value follows the closing brace (labels may hold spaces).
            var rest = line[(line.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : metric.Length)..].Trim();
            var end = rest.IndexOf(' ');
            if (double.TryParse(end < 0 ? rest : rest[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                total = (total ?? 0) + value;
            }
        }

        return total;
    }

    /// <summary>
    /// The sums of <paramref name="metric"/> per value of its label <paramref name="label"/> (other labels summed over),
    /// e.g. <c>tally_aggregator_cycle_phase_duration_seconds_sum</c> per <c>phase</c>.
    /// </summary>
    public static Dictionary<string, double> SumBy(string text, string metric, string label)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        var key = label + "=\"";
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith(metric, StringComparison.Ordinal) || line.Length == metric.Length || line[metric.Length] != '{')
            {
                continue;
            }

            var brace = line.LastIndexOf('}');
            var at = brace < metric.Length ? -1 : line[metric.Length..brace].IndexOf(key, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var labels = line[metric.Length..brace];

            var name = labels[(at + key.Length)..];
            name = name[..name.IndexOf('"')];
            var rest = line[(brace + 1)..].Trim();
            var end = rest.IndexOf(' ');
            if (double.TryParse(end < 0 ? rest : rest[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                sums[name.ToString()] = sums.GetValueOrDefault(name.ToString()) + value;
            }
        }

        return sums;
    }
}
