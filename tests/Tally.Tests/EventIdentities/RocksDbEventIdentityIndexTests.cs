using Tally.EventIdentities;
using Tally.Tests.EventLog;

namespace Tally.Tests.EventIdentities;

/// <summary>The <c>IEventIdentityIndex</c> contract on RocksDB, with exact values.</summary>
public sealed class RocksDbEventIdentityIndexTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly IdentityData _data = new(seed: 7);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FindAsync_EmptyIndex_ReturnsNothing()
    {
        await using var index = Open();

        var found = await index.FindAsync(0, _data.NewIdentities(100), Token);

        Assert.Empty(found);
        Assert.Equal(0, await index.CountAsync(0, Token));
    }

    [Fact]
    public async Task FindAsync_AfterAdd_ReturnsExactlyTheAddedIdentitiesWithTheirPayloads()
    {
        await using var index = Open();
        var added = _data.WithPayloads(_data.NewIdentities(50));
        await index.AddAsync(3, added, completeThrough: 50, Token);

        var found = await index.FindAsync(3, [.. added.Select(a => a.Key), .. _data.NewIdentities(50)], Token);

        Assert.Equal(added.OrderBy(a => a.Key), found.OrderBy(f => f.Key));
        Assert.Equal(50, await index.CountAsync(3, Token));
    }

    [Fact]
    public async Task FindAsync_IdentitiesRequestedTwice_ReturnsEachOnce()
    {
        await using var index = Open();
        var added = _data.WithPayloads(_data.NewIdentities(3));
        await index.AddAsync(0, added, completeThrough: 3, Token);
        var absent = _data.NewIdentities(1)[0];

        var found = await index.FindAsync(0, [added[2].Key, absent, added[0].Key, added[2].Key, absent, added[0].Key], Token);

        Assert.Equal(new Dictionary<UInt128, ulong> { [added[0].Key] = added[0].Value, [added[2].Key] = added[2].Value }, found);
    }

    [Fact]
    public async Task AddAsync_PresentIdentitiesWithOtherPayloads_KeepsFirstPayloadsAndCountsOnlyNewOnes()
    {
        await using var index = Open();
        var first = _data.WithPayloads(_data.NewIdentities(30));
        await index.AddAsync(1, first, completeThrough: 30, Token);
        var resent = _data.WithPayloads(first.Take(10).Select(f => f.Key));
        Assert.All(resent.Zip(first), pair => Assert.NotEqual(pair.Second.Value, pair.First.Value));
        var fresh = _data.WithPayloads(_data.NewIdentities(5));

        await index.AddAsync(1, [.. resent, .. fresh], completeThrough: 45, Token);

        Assert.Equal(35, await index.CountAsync(1, Token));
        var found = await index.FindAsync(1, [.. first.Select(f => f.Key), .. fresh.Select(f => f.Key)], Token);
        Assert.Equal(first.Concat(fresh).OrderBy(p => p.Key), found.OrderBy(f => f.Key));
    }

    [Fact]
    public async Task AddAsync_IdentityListedTwiceInOneCall_RecordsItOnceWithItsFirstPayload()
    {
        await using var index = Open();
        var identity = _data.NewIdentities(1)[0];

        await index.AddAsync(0, [KeyValuePair.Create(identity, 11UL), KeyValuePair.Create(identity, 22UL)], completeThrough: 2, Token);

        Assert.Equal(1, await index.CountAsync(0, Token));
        Assert.Equal(11UL, Assert.Single(await index.FindAsync(0, [identity], Token)).Value);
    }

    [Fact]
    public async Task AddAsync_SameIdentityInTwoPartitions_PartitionsAreIndependent()
    {
        await using var index = Open();
        var identity = _data.NewIdentities(1)[0];
        var onlyInOne = _data.NewIdentities(1)[0];

        await index.AddAsync(1, [KeyValuePair.Create(identity, 100UL), KeyValuePair.Create(onlyInOne, 101UL)], completeThrough: 7, Token);
        await index.AddAsync(2, [KeyValuePair.Create(identity, 200UL)], completeThrough: 3, Token);

        Assert.Equal(new Dictionary<UInt128, ulong> { [identity] = 100, [onlyInOne] = 101 }, await index.FindAsync(1, [identity, onlyInOne], Token));
        Assert.Equal(new Dictionary<UInt128, ulong> { [identity] = 200 }, await index.FindAsync(2, [identity, onlyInOne], Token));
        Assert.Equal((2L, 1L), (await index.CountAsync(1, Token), await index.CountAsync(2, Token)));
        Assert.Equal((7L, 3L), (await index.CompleteThroughAsync(1, Token), await index.CompleteThroughAsync(2, Token)));
        Assert.Empty(await index.FindAsync(0, [identity, onlyInOne], Token));
    }

    [Fact]
    public async Task CompleteThroughAsync_AfterSeveralAdds_IsZeroFirstThenTheLastValueWritten()
    {
        await using var index = Open();
        Assert.Equal(0, await index.CompleteThroughAsync(5, Token));

        await index.AddAsync(5, _data.WithPayloads(_data.NewIdentities(3)), completeThrough: 120, Token);
        Assert.Equal(120, await index.CompleteThroughAsync(5, Token));

        // A batch whose events were all already stored still moves the position, and adds nothing.
        await index.AddAsync(5, [], completeThrough: 250, Token);
        Assert.Equal(250, await index.CompleteThroughAsync(5, Token));
        Assert.Equal(3, await index.CountAsync(5, Token));
    }

    [Fact]
    public async Task AddAsync_ConcurrentOverlappingAddsToOnePartition_CountIsExact()
    {
        await using var index = Open();
        var identities = _data.WithPayloads(_data.NewIdentities(4500));

        // Eight writers, each adding a window of 1000 that overlaps its neighbours by half.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(
            async () => await index.AddAsync(9, identities[(w * 500)..((w * 500) + 1000)], completeThrough: w, Token), Token)));

        Assert.Equal(4500, await index.CountAsync(9, Token));
        Assert.Equal(identities.OrderBy(i => i.Key), (await index.FindAsync(9, [.. identities.Select(i => i.Key)], Token)).OrderBy(f => f.Key));
    }

    [Fact]
    public async Task Open_AfterDisposeOfTheSameDirectory_KeepsIdentitiesCountsAndPositions()
    {
        var added = _data.WithPayloads(_data.NewIdentities(40));
        await using (var index = Open())
        {
            await index.AddAsync(0, added[..25], completeThrough: 25, Token);
            await index.AddAsync(4, added[25..], completeThrough: 1_000_000_000_000, Token);
        }

        await using var reopened = Open();

        Assert.Equal(added[..25].OrderBy(a => a.Key), (await reopened.FindAsync(0, [.. added.Select(a => a.Key)], Token)).OrderBy(f => f.Key));
        Assert.Equal(added[25..].OrderBy(a => a.Key), (await reopened.FindAsync(4, [.. added.Select(a => a.Key)], Token)).OrderBy(f => f.Key));
        Assert.Equal((25L, 15L), (await reopened.CountAsync(0, Token), await reopened.CountAsync(4, Token)));
        Assert.Equal((25L, 1_000_000_000_000L), (await reopened.CompleteThroughAsync(0, Token), await reopened.CompleteThroughAsync(4, Token)));
    }

    [Fact]
    public async Task Open_DirectoryAlreadyOpenByAnotherInstance_FailsNamingTheKey()
    {
        await using var first = Open();

        var error = Assert.Throws<InvalidOperationException>(() => Open());

        Assert.Contains("EventIdentities:Directory", error.Message, StringComparison.Ordinal);
        Assert.Contains("in use by another process", error.Message, StringComparison.Ordinal);
        Assert.Contains(_directory.Path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_AfterAFailedSecondOpen_FirstInstanceStillWorks()
    {
        await using var first = Open();
        Assert.Throws<InvalidOperationException>(() => Open());

        await first.AddAsync(0, [KeyValuePair.Create(UInt128.One, 1UL)], completeThrough: 1, Token);

        Assert.Equal(1, await first.CountAsync(0, Token));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0xFFFF)]
    public async Task AddAsync_PartitionOutsideZeroTo65534_ThrowsArgumentOutOfRange(int partition)
    {
        await using var index = Open();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await index.AddAsync(partition, [], completeThrough: 1, Token));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await index.FindAsync(partition, [UInt128.One], Token));
    }

    [Fact]
    public async Task AddAsync_HighestPartition_IsKeptApartFromMetadata()
    {
        await using var index = Open();

        await index.AddAsync(0xFFFE, [KeyValuePair.Create(UInt128.MaxValue, ulong.MaxValue)], completeThrough: long.MaxValue, Token);

        Assert.Equal(ulong.MaxValue, Assert.Single(await index.FindAsync(0xFFFE, [UInt128.MaxValue], Token)).Value);
        Assert.Equal((1L, long.MaxValue), (await index.CountAsync(0xFFFE, Token), await index.CompleteThroughAsync(0xFFFE, Token)));
    }

    [Fact]
    public async Task FindAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var index = Open();
        await index.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await index.FindAsync(0, [UInt128.One], Token));
    }

    public void Dispose() => _directory.Dispose();

    private RocksDbEventIdentityIndex Open() => RocksDbEventIdentityIndex.Open(_directory.Path, blockCacheMegabytes: 8);
}
