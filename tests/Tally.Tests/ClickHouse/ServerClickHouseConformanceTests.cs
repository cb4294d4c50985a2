using ClickHouse.Driver.ADO;
using Xunit;

namespace Tally.Tests.ClickHouse;

/// <summary>
/// The conformance suite on a real ClickHouse server named by <c>TALLY_TEST_CLICKHOUSE</c> (a driver
/// connection string); reported as skipped where no server is reachable.
/// </summary>
public sealed class ServerClickHouseConformanceTests : ClickHouseConformanceTests
{
    private const string Variable = "TALLY_TEST_CLICKHOUSE";

    protected override string ConnectionString(string database, string? password = null)
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            Assert.Skip($"{Variable} is not set: no ClickHouse server to run the conformance suite against.");
        }

        var builder = new ClickHouseConnectionStringBuilder(configured) { Database = database };
        if (password is not null)
        {
            builder.Password = password;
        }

        return builder.ConnectionString;
    }
}
