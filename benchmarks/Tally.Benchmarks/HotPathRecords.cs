using System.Globalization;
using System.Text;
using Tally.Billing.EventLog;
using Tally.Billing.Events;

namespace Tally.Benchmarks;

/// <summary>
/// What the hot paths after ingest see: 1,000 events as ingest normalizes them (<see cref="CloudEventParser"/>)
/// and keys them for the log, spread over 50 customers, 1% of them re-sends of an earlier event.
/// </summary>
internal static class HotPathRecords
{
    public const string Tenant = "tnt_bench";
    public const int Count = 1_000;
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public static LogRecord[] Create()
    {
        var json = new StringBuilder("[");
        for (var i = 0; i < Count; i++)
        {
            // Every hundredth event re-sends the one ninety places before it: the same id and bytes.
            var n = i % 100 == 99 ? i - 90 : i;
            json.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$$"""{"specversion":"1.0","id":"e{{{n}}}","source":"tally-bench","type":"prompt","subject":"c{{{n % 50}}}","time":"2026-11-27T11:{{{n % 60:D2}}}:{{{n % 53:D2}}}.000Z","data":{"tokens":{{{1 + (n * 7 % 4000)}}},"model":"m{{{n % 4}}}","region":"r{{{n % 3}}}","user":"u{{{n % 500}}}","latency_ms":{{{n % 3000}}}.{{{n % 1000:D3}}}""").Append("}}");
        }

        var parsed = CloudEventParser.Parse(Encoding.UTF8.GetBytes(json.Append(']').ToString()), expectBatch: true, Now);
        return parsed.IsValid
            ? [.. parsed.Events.Select(e => new LogRecord(EventKey.For(new EventIdentity(Tenant, e.Source, e.Id)), e.Json))]
            : throw new InvalidOperationException(parsed.Errors[0].ToString());
    }
}
