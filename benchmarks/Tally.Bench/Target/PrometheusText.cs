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
}
