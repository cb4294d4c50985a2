using System.Buffers;
using BenchmarkDotNet.Attributes;
using Tally.Billing.EventLog;
using Tally.EventLog.Embedded;

namespace Tally.Benchmarks;

/// <summary>
/// The embedded log's record encoding (length, CRC32, UTF-8 key, payload) of 1,000 normalized events,
/// against the baseline of only copying the same payload bytes into the same kind of buffer.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class LogEncodeBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
    private LogRecord[] _records = [];

    [GlobalSetup]
    public void Setup() => _records = HotPathRecords.Create();

    [Benchmark(Baseline = true, Description = "copy payloads (baseline)")]
    public int CopyPayloads()
    {
        _buffer.ResetWrittenCount();
        foreach (var record in _records)
        {
            _buffer.Write(record.Value.Span);
        }

        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "RecordFrame.Encode x1000")]
    public int EncodeFrames()
    {
        _buffer.ResetWrittenCount();
        foreach (var record in _records)
        {
            RecordFrame.Encode(_buffer, record);
        }

        return _buffer.WrittenCount;
    }
}
