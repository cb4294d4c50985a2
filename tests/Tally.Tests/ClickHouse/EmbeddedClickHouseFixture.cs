using Microsoft.Extensions.Logging.Abstractions;
using Tally.ClickHouse.Embedded;
using Xunit;

namespace Tally.Tests.ClickHouse;

/// <summary>
/// The embedded engine the ClickHouse tests share: chDB in a child process (<c>tally clickhouse</c>),
/// exactly as <c>tally up</c> runs it, so libchdb.so never loads into the test process. A collection
/// fixture rather than an assembly fixture, so test runs that select no ClickHouse test never boot chDB.
/// </summary>
public sealed class EmbeddedClickHouseFixture : IAsyncLifetime
{
    /// <summary>Quotes, a backslash and a colon exercise the credential parsing of the endpoint.</summary>
    public const string Password = "pa:ss'w\\ord";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "tally-chdb-tests-" + Guid.NewGuid().ToString("N"));

    public EmbeddedClickHouseProcess Engine { get; private set; } = null!;

    /// <summary>The child's HTTP endpoint, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Engine.Port}/");

    public async ValueTask InitializeAsync()
    {
        Engine = Start(DataDirectory);
        await Engine.StartAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A supervised embedded engine on <paramref name="dataDirectory"/>, not yet started.</summary>
    public static EmbeddedClickHouseProcess Start(string dataDirectory, string password = Password) =>
        new(
            new EmbeddedClickHouseCommand("dotnet", [Path.Combine(AppContext.BaseDirectory, "tally.dll"), "clickhouse", "--data-dir", dataDirectory]),
            Path.Combine(dataDirectory, "clickhouse"),
            FreePort(),
            password,
            null,
            TimeProvider.System,
            NullLogger<EmbeddedClickHouseProcess>.Instance);

    /// <summary>Driver connection string for <paramref name="database"/>, optionally with another password.</summary>
    public string ConnectionString(string database, string password = Password) =>
        $"Host=127.0.0.1;Port={Engine.Port};Protocol=http;Username=default;Password=\"{password.Replace("\"", "\"\"", StringComparison.Ordinal)}\";Database={database}";

    public async ValueTask DisposeAsync()
    {
        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }

        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private static int FreePort() => Tally.Host.Hosting.FreePorts.Next();
}

[CollectionDefinition(Name)]
public sealed class ChdbCollection : ICollectionFixture<EmbeddedClickHouseFixture>
{
    public const string Name = "chDB";
}
