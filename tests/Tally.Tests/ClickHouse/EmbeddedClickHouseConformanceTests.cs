using Xunit;

namespace Tally.Tests.ClickHouse;

/// <summary>The conformance suite on embedded chDB, reached over its HTTP endpoint by ClickHouse.Driver.</summary>
[Collection(ChdbCollection.Name)]
public sealed class EmbeddedClickHouseConformanceTests(EmbeddedClickHouseFixture fixture) : ClickHouseConformanceTests
{
    protected override string ConnectionString(string database, string? password = null) =>
        fixture.ConnectionString(database, password ?? EmbeddedClickHouseFixture.Password);
}
