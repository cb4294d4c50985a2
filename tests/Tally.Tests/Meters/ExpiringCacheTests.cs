using Microsoft.Extensions.Time.Testing;
using Tally.ServiceDefaults;

namespace Tally.Tests.Meters;

public sealed class ExpiringCacheTests
{
    private readonly FakeTimeProvider _clock = new();
    private int _loads;

    private Task<string> Load(string key) => Task.FromResult($"{key}#{Interlocked.Increment(ref _loads)}");

    [Fact]
    public async Task GetAsync_WithinTtl_LoadsOnceAndAfterTtlAgain()
    {
        var cache = new ExpiringCache<string, string>(_clock, TimeSpan.FromSeconds(30), 10);

        var first = await cache.GetAsync("k", Load, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(29));
        var second = await cache.GetAsync("k", Load, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var third = await cache.GetAsync("k", Load, CancellationToken.None);

        Assert.Equal(("k#1", "k#1", "k#2"), (first, second, third));
    }

    [Fact]
    public async Task GetAsync_PastCapacity_DropsTheOldestAndStaysBounded()
    {
        var cache = new ExpiringCache<string, string>(_clock, TimeSpan.FromMinutes(1), 8);
        for (var i = 0; i < 20; i++)
        {
            await cache.GetAsync($"k{i}", Load, CancellationToken.None);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.InRange(cache.Count, 1, 8);
        Assert.Equal("k19#20", await cache.GetAsync("k19", Load, CancellationToken.None));
        Assert.Equal("k0#21", await cache.GetAsync("k0", Load, CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_FailedLoad_IsNotCached()
    {
        var cache = new ExpiringCache<string, string>(_clock, TimeSpan.FromMinutes(1), 8);

        await Assert.ThrowsAsync<IOException>(async () => await cache.GetAsync("k", _ => Task.FromException<string>(new IOException("down")), CancellationToken.None));

        Assert.Equal("k#1", await cache.GetAsync("k", Load, CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_ConcurrentMisses_ShareOneLoad()
    {
        var cache = new ExpiringCache<string, string>(_clock, TimeSpan.FromMinutes(1), 8);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;

        var first = cache.GetAsync("k", _ => { calls++; return gate.Task; }, CancellationToken.None);
        var second = cache.GetAsync("k", _ => { calls++; return gate.Task; }, CancellationToken.None);
        gate.SetResult("v");

        Assert.Equal(("v", "v", 1), (await first, await second, calls));
    }

    [Fact]
    public async Task Invalidate_Key_LoadsItAgain()
    {
        var cache = new ExpiringCache<string, string>(_clock, TimeSpan.FromMinutes(1), 8);
        await cache.GetAsync("k", Load, CancellationToken.None);

        cache.Invalidate("k");

        Assert.Equal("k#2", await cache.GetAsync("k", Load, CancellationToken.None));
    }
}
