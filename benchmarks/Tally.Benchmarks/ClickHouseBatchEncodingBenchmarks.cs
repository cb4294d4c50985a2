using System.Data;
using BenchmarkDotNet.Attributes;
using Tally.Aggregator;
using Tally.Billing.Events;
using Tally.ClickHouse;
using Tally.ClickHouse.Events;

namespace Tally.Benchmarks;

/// <summary>
/// What the aggregator builds for ClickHouse per batch, without sending it: <see cref="EventStore.InsertAsync"/>
/// of 1,000 stored events (the <c>INSERT ... FORMAT JSONEachRow</c> text and the hours-touched parameters, or
/// the RowBinary rows of both) into a transport that only keeps what it was given. Baseline: concatenating the events' own JSON into one string.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ClickHouseBatchEncodingBenchmarks
{
    private readonly KeepingClickHouse _transport = new();
    private StoredEvent[] _events = [];
    private string[] _json = [];

    [GlobalSetup]
    public void Setup()
    {
        var records = HotPathRecords.Create();
        _events = [.. records.Select((record, i) =>
        {
            LoggedEventReader.TryRead(HotPathRecords.Tenant, record.Value.Span, out var read, out _);
            return read with { IdentityDigest = EventDigests.Identity(read.Identity), PayloadDigest = EventDigests.Payload(read), Position = i };
        })];
        _json = [.. records.Select(r => System.Text.Encoding.UTF8.GetString(r.Value.Span))];
    }

    [Benchmark(Baseline = true, Description = "string.Join of the events' JSON (baseline)")]
    public int JoinJson() => string.Join('\n', _json).Length;

    [Benchmark(Description = "EventStore.InsertAsync x1000 (JSONEachRow, no I/O)")]
    public async Task<int> Encode()
    {
        await new EventStore(_transport, EventInsertFormat.JsonEachRow).InsertAsync(_events, CancellationToken.None);
        return _transport.Characters;
    }

    [Benchmark(Description = "EventStore.InsertAsync x1000 (RowBinary, no I/O)")]
    public async Task<int> EncodeRowBinary()
    {
        await new EventStore(_transport, EventInsertFormat.RowBinary).InsertAsync(_events, CancellationToken.None);
        return _transport.Characters;
    }

    private sealed class KeepingClickHouse : IClickHouse
    {
        public int Characters { get; private set; }

        public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, object?>? parameters, CancellationToken cancellationToken)
        {
            Characters = sql.Length;
            return Task.CompletedTask;
        }

        public Task InsertAsync(string insertSql, ReadOnlyMemory<byte> rows, CancellationToken cancellationToken)
        {
            Characters = rows.Length;
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<T>> QueryAsync<T>(string sql, IReadOnlyDictionary<string, object?>? parameters, Func<IDataRecord, T> map, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public IAsyncEnumerable<T> StreamAsync<T>(string sql, IReadOnlyDictionary<string, object?>? parameters, Func<IDataRecord, T> map, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
