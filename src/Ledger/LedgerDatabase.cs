using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using Tally.Billing;

namespace Tally.Ledger;

/// <summary>
/// The ledger's connection to its database. The schema is migrated on first use, once per instance,
/// under the dialect's cross-process lock; every store goes through <see cref="ReadAsync{T}"/> or
/// <see cref="WriteAsync{T}"/>, which also turn unique violations into <see cref="LedgerConflictException"/>.
/// </summary>
internal sealed class LedgerDatabase : IAsyncDisposable
{
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly SemaphoreSlim migrationGate = new(1, 1);
    private volatile bool migrated;

    static LedgerDatabase()
    {
        // Lets row classes use PascalCase properties for snake_case columns. It only widens Dapper's
        // name matching, so other Dapper users in the process are unaffected.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public LedgerDatabase(LedgerDialect dialect, TimeProvider timeProvider, ILogger<LedgerDatabase> logger)
    {
        Dialect = dialect;
        this.timeProvider = timeProvider;
        this.logger = logger;
    }

    public LedgerDialect Dialect { get; }

    /// <summary>Applies pending migrations; safe to call repeatedly and from several processes.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        if (migrated)
        {
            return;
        }

        await migrationGate.WaitAsync(cancellationToken);
        try
        {
            if (migrated)
            {
                return;
            }

            LedgerLog.Opened(logger, Dialect.Name, Dialect.Target);
            await using var connection = await Dialect.OpenAsync(cancellationToken);
            await Dialect.PrepareAsync(connection, cancellationToken);
            await using var transaction = await Dialect.BeginWriteAsync(connection, cancellationToken);
            await Dialect.LockMigrationsAsync(connection, transaction, cancellationToken);
            await connection.ExecuteAsync(Command(LedgerMigrations.CreateHistoryTable.Replace("{instant}", Dialect.InstantType, StringComparison.Ordinal), null, transaction, cancellationToken));

            var applied = (await connection.QueryAsync<long>(Command("SELECT version FROM schema_migrations", null, transaction, cancellationToken))).ToHashSet();
            foreach (var migration in LedgerMigrations.All.Where(m => !applied.Contains(m.Version)))
            {
                await connection.ExecuteAsync(Command(migration.For(Dialect), null, transaction, cancellationToken));
                await connection.ExecuteAsync(Command(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)",
                    new { Version = (long)migration.Version, migration.Name, AppliedAt = Dialect.Instant(timeProvider.GetUtcNow()) },
                    transaction,
                    cancellationToken));
                LedgerLog.MigrationApplied(logger, migration.Version, migration.Name);
            }

            await transaction.CommitAsync(cancellationToken);
            LedgerLog.SchemaCurrent(logger, LedgerMigrations.All[^1].Version);
            migrated = true;
        }
        finally
        {
            migrationGate.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> on an open connection without a transaction.</summary>
    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            await MigrateAsync(cancellationToken);
            await using var connection = await Dialect.OpenAsync(cancellationToken);
            return await work(connection);
        }
        catch (DbException exception) when (Dialect.StorageFull(exception))
        {
            // SQLite may need to grow its WAL even to read.
            throw new StorageFullException("ledger", $"The ledger's disk is full ({Dialect.Name} at {Dialect.Target}); nothing was changed.", exception);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction and commits it unless <paramref name="work"/>
    /// returns <c>Commit = false</c>, in which case everything it wrote is rolled back.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<(T Result, bool Commit)>> work, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        using var turn = await Dialect.EnterWriteAsync(cancellationToken);
        await using var connection = await Dialect.OpenAsync(cancellationToken);
        try
        {
            await using var transaction = await Dialect.BeginWriteAsync(connection, cancellationToken);
            var (result, commit) = await work(connection, transaction);
            if (commit)
            {
                await transaction.CommitAsync(cancellationToken);
            }
            else
            {
                await transaction.RollbackAsync(cancellationToken);
            }

            return result;
        }
        catch (DbException exception) when (Dialect.UniqueViolation(exception) is { } constraint)
        {
            throw new LedgerConflictException(constraint.Field, $"The value of '{constraint.Field}' is already taken ({constraint.Name}).");
        }
        catch (DbException exception) when (Dialect.StorageFull(exception))
        {
            // The transaction rolled back with the failed statement: nothing of the write was kept.
            throw new StorageFullException("ledger", $"The ledger's disk is full ({Dialect.Name} at {Dialect.Target}); nothing was changed.", exception);
        }
    }

    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken) =>
        WriteAsync<bool>(
            async (connection, transaction) =>
            {
                await work(connection, transaction);
                return (true, true);
            },
            cancellationToken);

    public static CommandDefinition Command(string sql, object? parameters, DbTransaction? transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);

    public ValueTask DisposeAsync()
    {
        Dialect.Release();
        migrationGate.Dispose();
        return ValueTask.CompletedTask;
    }
}
