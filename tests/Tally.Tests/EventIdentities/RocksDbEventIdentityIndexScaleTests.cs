using Tally.EventIdentities;
using Tally.Tests.EventLog;

namespace Tally.Tests.EventIdentities;

/// <summary>Exact answers at volume, from table files and the memtable alike (no timing asserted).</summary>
public sealed class RocksDbEventIdentityIndexScaleTests : IDisposable
{
    private const int Partition = 6;
    private const int BatchSize = 20_000;
    private readonly TempDirectory _directory = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FindAsync_200kIdentitiesAddedIn20kBatches_ReturnsExactlyThePresentOnes()
    {
        var data = new IdentityData(seed: 200_000);
        var added = data.WithPayloads(data.NewIdentities(200_000));
        await using (var first = RocksDbEventIdentityIndex.Open(_directory.Path))
        {
            await AddInBatchesAsync(first, added[..100_000]);
        }

        // Reopening flushes the recovered memtable to a table file, so the lookups below cross both.
        await using var index = RocksDbEventIdentityIndex.Open(_directory.Path);
        Assert.NotEmpty(Directory.GetFiles(_directory.Path, "*.sst"));
        await AddInBatchesAsync(index, added[100_000..]);

        var present = added.Where((_, i) => i % 10 == 3).ToArray();
        var absent = data.NewIdentities(20_000);
        var found = await index.FindAsync(Partition, [.. present.Select(p => p.Key), .. absent], Token);

        Assert.Equal(20_000, present.Length);
        Assert.Equal(present.OrderBy(p => p.Key), found.OrderBy(f => f.Key));
        Assert.Equal(200_000, await index.CountAsync(Partition, Token));
        Assert.Equal(200_000, await index.CompleteThroughAsync(Partition, Token));
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>Adds in batches, each completing the partition through one more batch of log positions.</summary>
    private static async Task AddInBatchesAsync(RocksDbEventIdentityIndex index, KeyValuePair<UInt128, ulong>[] identities)
    {
        var completed = await index.CompleteThroughAsync(Partition, Token);
        for (var start = 0; start < identities.Length; start += BatchSize)
        {
            await index.AddAsync(Partition, identities[start..(start + BatchSize)], completed + start + BatchSize, Token);
        }
    }
}
