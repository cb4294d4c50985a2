using Npgsql;
using Tally.Ledger;
using Xunit;

namespace Tally.Tests.Ledger;

/// <summary>
/// The conformance suite on PostgreSQL from <c>TALLY_TEST_POSTGRES</c> (see eng/start-postgres.sh),
/// each test in a schema of its own. Without that variable every test reports as skipped.
/// </summary>
public sealed class PostgresLedgerTests : LedgerConformanceTests
{
    private const string EnvironmentVariable = "TALLY_TEST_POSTGRES";

    private readonly string schema = "ledger_test_" + Guid.NewGuid().ToString("N");
    private string? adminConnectionString;

    internal override async ValueTask<TestLedger> OpenLedgerAsync()
    {
        adminConnectionString = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(adminConnectionString))
        {
            Assert.Skip($"{EnvironmentVariable} is not set; run eng/start-postgres.sh and export its output to test the PostgreSQL ledger.");
        }

        await ExecuteAsync($"CREATE SCHEMA \"{schema}\"");
        return NewLedger();
    }

    internal override ValueTask<TestLedger> OpenSecondLedgerAsync() => ValueTask.FromResult(NewLedger());

    protected override async ValueTask CleanUpAsync()
    {
        if (adminConnectionString is not null)
        {
            await ExecuteAsync($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        }
    }

    private TestLedger NewLedger()
    {
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { SearchPath = schema };
        return new TestLedger(new PostgresDialect(builder.ConnectionString), TestLedger.Clock());
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
