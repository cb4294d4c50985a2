using System.Globalization;
using System.Text;
using Tally.Billing.EventLog;
using Tally.Billing.Events;

namespace Tally.LoadHarness;

/// <summary>
/// One run's events, serialized up front as CloudEvents batch bodies so the senders measure Tally and
/// not the client's JSON writing; plus the exact totals the meters must reach.
/// </summary>
public sealed class LoadData
{
    public const string EventType = "prompt";

    private LoadData(IReadOnlyList<byte[]> bodies, long events, decimal tokens)
    {
        Bodies = bodies;
        Events = events;
        Tokens = tokens;
    }

    public IReadOnlyList<byte[]> Bodies { get; }

    public long Events { get; }

    public decimal Tokens { get; }

    /// <summary>
    /// <paramref name="events"/> events in batches of <paramref name="batch"/>, spread over the last hour's
    /// minutes and <paramref name="subjects"/> customers so the aggregator folds a realistic number of rows.
    /// </summary>
    public static LoadData Create(string runId, int events, int batch, int subjects, DateTimeOffset hourStart)
    {
        var bodies = new List<byte[]>((events + batch - 1) / batch);
        var json = new StringBuilder(batch * 240);
        decimal tokens = 0;
        for (var first = 0; first < events; first += batch)
        {
            json.Clear().Append('[');
            for (var i = first; i < Math.Min(first + batch, events); i++)
            {
                var amount = (i % 1000) + 1;
                tokens += amount;
                var time = hourStart.AddMinutes(i % 60).AddSeconds(i % 53);
                json.Append(i == first ? "" : ",").Append(CultureInfo.InvariantCulture,
                    $$$"""{"specversion":"1.0","id":"{{{runId}}}-{{{i}}}","source":"load-harness","type":"{{{EventType}}}","subject":"customer-{{{i % subjects}}}","time":"{{{time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}}","data":{"tokens":{{{amount}}},"model":"m{{{i % 3}}}"}}""");
            }

            bodies.Add(Encoding.UTF8.GetBytes(json.Append(']').ToString()));
        }

        return new LoadData(bodies, events, tokens);
    }

    /// <summary>
    /// The records Ingest would append for <paramref name="tenantId"/>: parsed and normalized by the same
    /// <see cref="CloudEventParser"/>, keyed the same way, batch for batch.
    /// </summary>
    public IReadOnlyList<LogRecord[]> NormalizedRecords(string tenantId, DateTimeOffset now) =>
        [.. Bodies.Select(body =>
        {
            var parsed = CloudEventParser.Parse(body, expectBatch: true, now);
            if (!parsed.IsValid)
            {
                throw new InvalidOperationException($"Generated batch is invalid: {parsed.Errors[0]}");
            }

            return parsed.Events.Select(e => new LogRecord(EventKey.For(new EventIdentity(tenantId, e.Source, e.Id)), e.Json)).ToArray();
        })];
}
