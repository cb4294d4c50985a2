using Microsoft.Extensions.Logging.Abstractions;
using Tally.ClickHouse.Embedded;
using Xunit;

namespace Tally.Tests.ClickHouse;

/// <summary>
/// The one embedded engine of the test process (chDB boots one storage path per process), shared by
/// every class in <see cref="ChdbCollection"/>. A collection fixture rather than an assembly fixture,
/// so test runs that select no ClickHouse test never boot chDB.
/// </summary>
public sealed class EmbeddedClickHouseFixture : IAsyncLifetime
{
    /// <summary>Set by <c>EmbeddedPersistenceTests</c> for its child processes.</summary>
    public const string DataDirectoryVariable = "TALLY_CH_TEST_DIR";

    /// <summary>Quotes, a backslash and a colon exercise the credential parsing of the endpoint.</summary>
    public const string Password = "pa:ss'w\\ord";

    private bool ownsDirectory;

    public EmbeddedClickHouse Engine { get; private set; } = null!;

    public string DataDirectory { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(DataDirectoryVariable);
        ownsDirectory = string.IsNullOrEmpty(configured);
        DataDirectory = ownsDirectory
            ? Path.Combine(Path.GetTempPath(), "tally-chdb-tests-" + Guid.NewGuid().ToString("N"))
            : configured!;
        Engine = await EmbeddedClickHouse.StartAsync(
            DataDirectory, null, 0, Password, NullLoggerFactory.Instance, TestContext.Current.CancellationToken);
    }

    /// <summary>Driver connection string for <paramref name="database"/>, optionally with another password.</summary>
    public string ConnectionString(string database, string password = Password) =>
        $"Host={Engine.Endpoint.Host};Port={Engine.Endpoint.Port};Protocol=http;Username=default;Password=\"{password.Replace("\"", "\"\"", StringComparison.Ordinal)}\";Database={database}";

    public async ValueTask DisposeAsync()
    {
        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }

        if (ownsDirectory && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ChdbCollection : ICollectionFixture<EmbeddedClickHouseFixture>
{
    public const string Name = "chDB";
}
