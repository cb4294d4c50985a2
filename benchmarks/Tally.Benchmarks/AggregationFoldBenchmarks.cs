using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Tally.Aggregator;
using Tally.Billing.EventLog;
using Tally.Billing.Events;

namespace Tally.Benchmarks;

/// <summary>
/// The aggregator's CPU step per log batch of 1,000 records, without its I/O: read each logged event
/// (<see cref="LoggedEventReader"/>), digest its identity and payload (<see cref="EventDigests"/>), and
/// judge it against the identities already stored (<see cref="EventDeduplication"/>; here none, so only the
/// batch's own 1% of re-sends drop). Baseline: tokenizing the same bytes with <see cref="Utf8JsonReader"/>.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class AggregationFoldBenchmarks
{
    private static readonly Dictionary<UInt128, ulong> NothingStored = [];
    private LogRecord[] _records = [];

    [GlobalSetup]
    public void Setup() => _records = HotPathRecords.Create();

    [Benchmark(Baseline = true, Description = "Utf8JsonReader scan of the records (baseline)")]
    public int Scan()
    {
        var tokens = 0;
        foreach (var record in _records)
        {
            var reader = new Utf8JsonReader(record.Value.Span);
            while (reader.Read())
            {
                tokens++;
            }
        }

        return tokens;
    }

    [Benchmark(Description = "read + digest + dedup x1000")]
    public int Fold()
    {
        var events = new List<StoredEvent>(_records.Length);
        for (var i = 0; i < _records.Length; i++)
        {
            if (LoggedEventReader.TryRead(HotPathRecords.Tenant, _records[i].Value.Span, out var read, out _))
            {
                events.Add(read with { IdentityDigest = EventDigests.Identity(read.Identity), PayloadDigest = EventDigests.Payload(read), Position = i });
            }
        }

        return EventDeduplication.Deduplicate(events, NothingStored).New.Count;
    }
}
