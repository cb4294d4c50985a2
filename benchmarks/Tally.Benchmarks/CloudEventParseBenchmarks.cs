using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Tally.Billing.Events;

namespace Tally.Benchmarks;

/// <summary>
/// Ingest's parse path: validating and normalizing a 100-event CloudEvents batch, against the
/// baseline of only tokenizing the same bytes with System.Text.Json. The ratio is the cost of
/// Tally's validation and normalization on top of reading JSON at all.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class CloudEventParseBenchmarks
{
    private const int EventsPerBatch = 100;
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    private byte[] _batch = [];

    [GlobalSetup]
    public void Setup()
    {
        var json = new StringBuilder("[");
        for (var i = 0; i < EventsPerBatch; i++)
        {
            json.Append(i == 0 ? "" : ",").Append(
                $$$"""{"specversion":"1.0","id":"evt-{{{i:D8}}}","source":"api-gateway","type":"prompt","subject":"customer-{{{i % 50}}}","time":"2026-11-25T10:{{{i % 60:D2}}}:00.000Z","data":{"tokens":{{{i * 7}}},"model":"gpt-small"}}""");
        }

        _batch = Encoding.UTF8.GetBytes(json.Append(']').ToString());
    }

    [Benchmark(Baseline = true, Description = "Utf8JsonReader scan (baseline)")]
    public int ScanOnly()
    {
        var reader = new Utf8JsonReader(_batch);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    [Benchmark(Description = "CloudEventParser.Parse (validate + normalize)")]
    public int ParseAndNormalize() => CloudEventParser.Parse(_batch, expectBatch: true, Now).Events.Count;
}
