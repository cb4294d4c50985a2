using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Tally.Ledger;

/// <summary>
/// Everything that differs between the SQLite and PostgreSQL ledgers: connections, column types,
/// value encodings, write transactions, the migration lock and how a unique violation is reported.
/// The SQL the stores run is shared; <c>ON CONFLICT ... DO NOTHING/UPDATE</c> and <c>RETURNING</c> read the same in both.
/// </summary>
internal abstract class LedgerDialect
{
    public abstract string Name { get; }

    /// <summary>Column type for exact decimals.</summary>
    public abstract string DecimalType { get; }

    /// <summary>Column type for UTC instants.</summary>
    public abstract string InstantType { get; }

    /// <summary>A description of the target that is safe to log (no password).</summary>
    public abstract string Target { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Starts a transaction that already holds the right to write, so read-then-write never deadlocks on upgrade.</summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Serializes migration runs across processes for the rest of <paramref name="transaction"/>.</summary>
    public abstract Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>One-time, outside-a-transaction preparation of the database (e.g. SQLite's journal mode).</summary>
    public virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract object Decimal(decimal value);

    public abstract object Instant(DateTimeOffset value);

    public abstract decimal ReadDecimal(object value);

    public abstract DateTimeOffset ReadInstant(object value);

    /// <summary>
    /// A condition that <paramref name="column"/> is one of the array parameter <paramref name="parameter"/>:
    /// Dapper expands <c>IN @p</c> into one parameter per value, except on Npgsql, which takes the array whole.
    /// </summary>
    public abstract string IsAnyOf(string column, string parameter);

    /// <summary>The ledger constraint a unique violation broke, or null if <paramref name="exception"/> is not one.</summary>
    public abstract LedgerConstraint? UniqueViolation(DbException exception);

    /// <summary>True when the database refused a write because its disk (or quota) is full.</summary>
    public abstract bool StorageFull(DbException exception);

    public virtual void Release()
    {
    }
}

/// <summary>The embedded default: one SQLite file in WAL mode that several processes may share.</summary>
internal sealed class SqliteDialect(string path) : LedgerDialect
{
    private const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    private const int SqliteConstraint = 19;
    private const int SqliteFull = 13;

    private readonly string connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        ForeignKeys = true,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public override string Name => "sqlite";

    public override string DecimalType => "TEXT";

    public override string InstantType => "TEXT";

    public override string Target => path;

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);

        // busy_timeout makes a writer wait for another process's write lock instead of failing at once;
        // synchronous=NORMAL is durable enough in WAL mode and much cheaper than FULL.
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // BEGIN IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so two processes
        // never both read under a shared lock and then fail to upgrade.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    // The IMMEDIATE transaction already excludes every other writer, migrations included.
    public override Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public override async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // journal_mode is stored in the file and cannot change inside a transaction.
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override string IsAnyOf(string column, string parameter) => $"{column} IN @{parameter}";

    public override object Decimal(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public override object Instant(DateTimeOffset value) => value.UtcDateTime.ToString(InstantFormat, CultureInfo.InvariantCulture);

    public override decimal ReadDecimal(object value) =>
        decimal.Parse((string)value, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);

    public override DateTimeOffset ReadInstant(object value) =>
        DateTimeOffset.ParseExact((string)value, InstantFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override LedgerConstraint? UniqueViolation(DbException exception)
    {
        // SQLite names the columns, not the constraint: "UNIQUE constraint failed: meters.tenant_id, meters.slug".
        const string marker = "constraint failed: ";
        if (exception is not SqliteException { SqliteErrorCode: SqliteConstraint } sqlite)
        {
            return null;
        }

        var start = sqlite.Message.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var columns = sqlite.Message[(start + marker.Length)..].TrimEnd('.', '\'', ' ');
        return LedgerConstraint.FromSqliteColumns(columns);
    }

    public override bool StorageFull(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteFull };

    public override void Release()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted.
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
    }
}

/// <summary>The server ledger: PostgreSQL through Npgsql.</summary>
internal sealed class PostgresDialect(string connectionString) : LedgerDialect
{
    // Arbitrary but fixed: every Tally process contends for the same advisory lock while migrating.
    private const long MigrationLockKey = 0x54_61_6C_6C_79_4C_67_72;

    private readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);

    public override string Name => "postgresql";

    public override string DecimalType => "NUMERIC";

    public override string InstantType => "TIMESTAMPTZ";

    public override string Target
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port}/{builder.Database}";
        }
    }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken);

    public override async Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT pg_advisory_xact_lock({MigrationLockKey})";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override string IsAnyOf(string column, string parameter) => $"{column} = ANY(@{parameter})";

    public override object Decimal(decimal value) => value;

    public override object Instant(DateTimeOffset value) => value.ToUniversalTime();

    public override decimal ReadDecimal(object value) => Convert.ToDecimal(value, CultureInfo.InvariantCulture);

    public override DateTimeOffset ReadInstant(object value) => value switch
    {
        DateTimeOffset instant => instant.ToUniversalTime(),
        DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc), TimeSpan.Zero),
        _ => throw new InvalidCastException($"Unexpected instant type {value.GetType()}."),
    };

    public override LedgerConstraint? UniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: { } name }
            ? LedgerConstraint.FromName(name)
            : null;

    // 53100 disk_full, 53200 out_of_memory is not storage; 53400 configuration_limit_exceeded neither.
    public override bool StorageFull(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.DiskFull };

    public override void Release() => dataSource.Dispose();
}
