using Microsoft.Extensions.Logging.Abstractions;
using Tally.ClickHouse;
using Xunit;

namespace Tally.Tests.ClickHouse;

/// <summary>Data survives stopping the embedded engine's process and starting a new one on the same directory.</summary>
public sealed class EmbeddedPersistenceTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "tally-chdb-persist-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restart_NewProcessOnSameDirectory_ReadsPreviouslyWrittenRows()
    {
        var value = "persisted-" + Guid.NewGuid().ToString("N");
        await using (var first = EmbeddedClickHouseFixture.Start(directory))
        {
            await first.StartAsync(Ct);
            using var client = Client(first.ConnectionString);
            await client.ExecuteAsync("CREATE TABLE kept (value String) ENGINE = MergeTree ORDER BY value", null, Ct);
            await client.ExecuteAsync("INSERT INTO kept SELECT {v:String}", new Dictionary<string, object?> { ["v"] = value }, Ct);
            await first.StopAsync(Ct);
        }

        await using var second = EmbeddedClickHouseFixture.Start(directory);
        await second.StartAsync(Ct);
        using var reader = Client(second.ConnectionString);
        var rows = await reader.QueryAsync("SELECT value FROM kept", null, r => r.GetString(0), Ct);

        Assert.Equal([value], rows);
    }

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static DriverClickHouse Client(string connectionString) =>
        new(connectionString.Replace("Database=default", "Database=tally_persistence", StringComparison.Ordinal), NullLogger<DriverClickHouse>.Instance);
}
