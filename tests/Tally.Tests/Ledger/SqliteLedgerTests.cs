using Dapper;
using Tally.Ledger;
using Xunit;

namespace Tally.Tests.Ledger;

/// <summary>The conformance suite on an embedded SQLite file, fresh per test.</summary>
public sealed class SqliteLedgerTests : LedgerConformanceTests
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "tally-ledger-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(directory, "ledger.db");

    internal override ValueTask<TestLedger> OpenLedgerAsync() =>
        ValueTask.FromResult(new TestLedger(new SqliteDialect(DatabasePath), TestLedger.Clock()));

    protected override ValueTask CleanUpAsync()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Migrate_NewFile_UsesWriteAheadLogAndForeignKeys()
    {
        await Ledger.Database.MigrateAsync(Ct);

        var (journalMode, foreignKeys, busyTimeout) = await Ledger.Database.ReadAsync(
            async connection => (
                await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"),
                await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"),
                await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout")),
            Ct);

        Assert.Equal("wal", journalMode);
        Assert.Equal(1, foreignKeys);
        Assert.Equal(10000, busyTimeout);
    }
}
