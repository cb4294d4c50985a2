using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Tally.EventIdentities;

namespace Tally.Benchmarks;

/// <summary>
/// The RocksDB event identity index at 1,000,000 identities in one partition (flushed to table files by
/// a reopen, as after a restart): Find of a 20,000-identity batch, all absent (the common case: new
/// events) and with 1% present (re-sent events), and a durable (fsync'd) Add of 20,000 new identities.
/// Times are per identity (OperationsPerInvoke); identities per second = 1 s / median.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EventIdentityIndexBenchmarks
{
    private const int Stored = 1_000_000;
    private const int Batch = 20_000;
    private const int Partition = 0;

    private string _directory = "";
    private RocksDbEventIdentityIndex? _index;
    private UInt128[] _absent = [];
    private UInt128[] _onePercentPresent = [];
    private ulong _nextNew = 1UL << 40;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("tally-identities-bench-").FullName;
        var stored = new UInt128[Stored];
        for (var i = 0; i < Stored; i++)
        {
            stored[i] = Identity((ulong)i);
        }

        using (var filling = RocksDbEventIdentityIndex.Open(_directory))
        {
            for (var start = 0; start < Stored; start += Batch)
            {
                var batch = stored[start..(start + Batch)].Select(id => KeyValuePair.Create(id, (ulong)id)).ToArray();
                filling.AddAsync(Partition, batch, start + Batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
        }

        // Reopened, the memtable is flushed: lookups go through table files, bloom filters and the block cache.
        _index = RocksDbEventIdentityIndex.Open(_directory);
        _absent = [.. Enumerable.Range(0, Batch).Select(i => Identity((ulong)(Stored + i)))];
        _onePercentPresent = [.. _absent[..(Batch - (Batch / 100))], .. Enumerable.Range(0, Batch / 100).Select(i => stored[i * 97])];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    [BenchmarkCategory("Find20k")]
    public int FindAllAbsent() => Find(_absent);

    [Benchmark(OperationsPerInvoke = Batch)]
    [BenchmarkCategory("Find20k")]
    public int FindOnePercentPresent() => Find(_onePercentPresent);

    /// <summary>Each invocation adds 20,000 identities never added before (one fsync'd write batch).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    [BenchmarkCategory("Add20k")]
    public void AddNew()
    {
        var batch = new KeyValuePair<UInt128, ulong>[Batch];
        for (var i = 0; i < Batch; i++)
        {
            batch[i] = KeyValuePair.Create(Identity(_nextNew++), 1UL);
        }

        _index!.AddAsync(Partition, batch, (long)_nextNew, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private int Find(UInt128[] identities) =>
        _index!.FindAsync(Partition, identities, CancellationToken.None).AsTask().GetAwaiter().GetResult().Count;

    /// <summary>A digest-like (uniformly spread) identity from a counter: SplitMix64 of both halves.</summary>
    private static UInt128 Identity(ulong n) => new(Mix(n), Mix(n ^ 0x9E3779B97F4A7C15));

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
