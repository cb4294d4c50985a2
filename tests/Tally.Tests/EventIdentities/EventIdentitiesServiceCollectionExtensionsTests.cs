using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tally.Billing.Events;
using Tally.EventIdentities;
using Tally.Tests.EventLog;

namespace Tally.Tests.EventIdentities;

public sealed class EventIdentitiesServiceCollectionExtensionsTests : IDisposable
{
    private readonly TempDirectory _dataDir = new();

    [Fact]
    public async Task AddTallyEventIdentities_NoDirectorySet_OpensRocksDbUnderDataDirectory()
    {
        await using var provider = Build([]);

        var index = Assert.IsType<RocksDbEventIdentityIndex>(provider.GetRequiredService<IEventIdentityIndex>());

        Assert.Equal(Path.Combine(_dataDir.Path, "identities"), index.Directory);
        Assert.True(File.Exists(Path.Combine(index.Directory, "CURRENT")));
        Assert.Same(index, provider.GetRequiredService<IEventIdentityIndex>());
    }

    [Fact]
    public async Task AddTallyEventIdentities_DirectorySet_OpensThere()
    {
        var directory = Path.Combine(_dataDir.Path, "elsewhere");
        await using var provider = Build(new() { ["EventIdentities:Directory"] = directory });

        Assert.Equal(directory, Assert.IsType<RocksDbEventIdentityIndex>(provider.GetRequiredService<IEventIdentityIndex>()).Directory);
    }

    [Theory]
    [InlineData("EventIdentities:BlockCacheMegabytes", "4", "EventIdentities:BlockCacheMegabytes must be between 8 and 65536.")]
    [InlineData("EventIdentities:BlockCacheMegabytes", "70000", "EventIdentities:BlockCacheMegabytes must be between 8 and 65536.")]
    [InlineData("EventIdentities:Directory", " ", "EventIdentities:Directory must be a directory path.")]
    public async Task AddTallyEventIdentities_InvalidSetting_FailsStartupValidationNamingTheKey(string key, string value, string expected)
    {
        await using var provider = Build(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddTallyEventIdentities_ProviderDisposedSynchronously_ClosesTheDatabase()
    {
        using (var provider = Build([]))
        {
            provider.GetRequiredService<IEventIdentityIndex>();
        }

        await using var reopened = RocksDbEventIdentityIndex.Open(Path.Combine(_dataDir.Path, "identities"));
        Assert.Equal(0, await reopened.CountAsync(0, TestContext.Current.CancellationToken));
    }

    public void Dispose() => _dataDir.Dispose();

    private ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddTallyEventIdentities(configuration, _dataDir.Path)
            .BuildServiceProvider();
    }
}
