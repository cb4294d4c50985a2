using System.Globalization;
using System.Text;
using Tally.Billing.Usage;

namespace Tally.Aggregator.Meters;

/// <summary>
/// A meter query as CSV (<c>Accept: text/csv</c>), OpenMeter's columns: <c>window_start, window_end</c>,
/// <c>subject</c> and <c>customer_id</c> when grouped by them, the groupBy keys in the order asked,
/// then <c>value</c>; times in RFC 3339, values exact; fields quoted as RFC 4180 wants.
/// </summary>
public static class MeterQueryCsv
{
    public static string Write(MeterQuery query, IReadOnlyList<MeterQueryRow> rows)
    {
        var csv = new StringBuilder();
        var header = new List<string> { "window_start", "window_end" };
        if (query.GroupBySubject)
        {
            header.Add("subject");
        }

        if (query.GroupByCustomer)
        {
            header.Add("customer_id");
        }

        header.AddRange(query.GroupBy);
        header.Add("value");
        Line(csv, header);
        foreach (var row in rows)
        {
            var fields = new List<string> { Instant(row.WindowStart), Instant(row.WindowEnd) };
            if (query.GroupBySubject)
            {
                fields.Add(row.Subject ?? "");
            }

            if (query.GroupByCustomer)
            {
                fields.Add(row.CustomerId ?? "");
            }

            fields.AddRange(query.GroupBy.Select(name => row.GroupBy.GetValueOrDefault(name) ?? ""));
            fields.Add(row.Value.ToString(CultureInfo.InvariantCulture));
            Line(csv, fields);
        }

        return csv.ToString();
    }

    private static void Line(StringBuilder csv, IEnumerable<string> fields)
    {
        csv.AppendJoin(',', fields.Select(Quote));
        csv.Append('\n');
    }

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Instant(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
