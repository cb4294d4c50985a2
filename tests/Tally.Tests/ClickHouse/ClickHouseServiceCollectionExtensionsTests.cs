using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tally.ClickHouse;
using Tally.ServiceDefaults;
using Xunit;

namespace Tally.Tests.ClickHouse;

[Collection(ChdbCollection.Name)]
public sealed class ClickHouseServiceCollectionExtensionsTests(EmbeddedClickHouseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddTallyClickHouse_ConnectionStringSet_UsesServerAndConfiguredDatabase()
    {
        var connectionString = fixture.ConnectionString("ignored");
        var withoutDatabase = connectionString[..connectionString.LastIndexOf(";Database=", StringComparison.Ordinal)];
        await using var provider = Build(new()
        {
            ["ClickHouse:ConnectionString"] = withoutDatabase,
            ["ClickHouse:Database"] = "tally_di",
        });

        var clickHouse = provider.GetRequiredService<IClickHouse>();
        var rows = await clickHouse.QueryAsync("SELECT currentDatabase()", null, r => r.GetString(0), Ct);

        Assert.Equal(["tally_di"], rows);
    }

    [Fact]
    public async Task AddTallyClickHouse_EmptyDatabase_FailsValidationNamingTheKey()
    {
        await using var provider = Build(new() { ["ClickHouse:Database"] = string.Empty });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ClickHouseOptions>>().Value);

        Assert.Contains("ClickHouse:Database", ex.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var paths = new TallyPaths(Path.Combine(Path.GetTempPath(), "tally-di-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)));
        return new ServiceCollection()
            .AddLogging()
            .AddTallyClickHouse(configuration, paths.DataDirectory)
            .BuildServiceProvider();
    }
}
