using System.Data.Common;
using System.Globalization;
using System.Text.Json;
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

    /// <summary>
    /// Appended to a SELECT inside a write transaction to lock the rows it reads until the transaction
    /// ends (PostgreSQL's <c>FOR UPDATE</c>); empty for SQLite, whose write transaction already excludes every other writer.
    /// </summary>
    public virtual string ForUpdate => "";

    /// <summary>
    /// A condition that <paramref name="column"/> is one of the values of list parameter <paramref name="parameter"/>,
    /// whose value must come from <see cref="List"/>: PostgreSQL compares with <c>= ANY(@p)</c> (Npgsql passes the
    /// list as one array); SQLite reads one JSON array with <c>json_each</c>.
    /// </summary>
    public abstract string InList(string column, string parameter);

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Starts a transaction that already holds the right to write, so read-then-write never deadlocks on upgrade.</summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>How many rows of <paramref name="columns"/> values one statement of <see cref="RowBatches"/> carries: many, to save round trips.</summary>
    public virtual int RowsPerStatement(int columns) => Math.Max(1, 4_000 / columns);

    /// <summary>
    /// A <c>SELECT</c> of the rows held in parameter <paramref name="parameter"/> as one JSON array of arrays, as columns
    /// <c>column1</c> … <c>column{columns}</c>; null where <see cref="RowBatches"/> should bind a <c>VALUES</c> list instead.
    /// </summary>
    public virtual string? JsonRows(int columns, string parameter) => null;

    /// <summary>The value of a list parameter named in <see cref="InList"/>.</summary>
    public virtual object List(IEnumerable<string> values) => values as string[] ?? [.. values];

    /// <summary>
    /// Waits for this process's turn to write, held until the returned handle is disposed (after commit or
    /// rollback). Nothing for PostgreSQL, which has row locks; SQLite has one writer at a time anyway.
    /// </summary>
    public virtual ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    /// <summary>Serializes migration runs across processes for the rest of <paramref name="transaction"/>.</summary>
    public abstract Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>One-time, outside-a-transaction preparation of the database (e.g. SQLite's journal mode).</summary>
    public virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract object Decimal(decimal value);

    /// <summary>SQL for the instant a <c>yyyy-MM</c> column's month starts (UTC), in this dialect's instant type.</summary>
    public abstract string MonthStart(string column);

    /// <summary>SQL for the instant a <c>yyyy-MM</c> column's month ends (UTC).</summary>
    public abstract string MonthEnd(string column);

    /// <summary>What locks the rows a worker selects to lease, so concurrent workers skip them instead of waiting.</summary>
    public virtual string SkipLocked => "";

    public abstract object Instant(DateTimeOffset value);

    public abstract decimal ReadDecimal(object value);

    public abstract DateTimeOffset ReadInstant(object value);

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

    // Page cache per pooled connection (SQLite's default is 2 MiB).
    private const int CacheKibibytes = 64 * 1024;

    private readonly SemaphoreSlim writers = new(1, 1);

    public override string Name => "sqlite";

    // SQLite finds each named parameter by a linear search of the statement's names (and Microsoft.Data.Sqlite
    // tries each of its three prefixes in turn), so a statement's binding grows with the square of its parameters
    // (measured: 2,000 rows of 10 columns took 1.6 s at 4,000 parameters a statement, 0.06 s one row at a time).
    // Many rows or a long list therefore go in as one JSON text parameter, unpacked by SQLite's own json_each.
    public override string JsonRows(int columns, string parameter) =>
        $"SELECT {string.Join(", ", Enumerable.Range(0, columns).Select(c => $"value->>{c} AS column{c + 1}"))} FROM json_each(@{parameter})";

    public override string InList(string column, string parameter) => $"{column} IN (SELECT value FROM json_each(@{parameter}))";

    public override object List(IEnumerable<string> values) => JsonSerializer.Serialize(values as string[] ?? [.. values], LedgerJson.Options);

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
        // synchronous=NORMAL is durable enough in WAL mode and much cheaper than FULL. temp_store=MEMORY keeps
        // statement journals in memory: a statement that writes many rows (a close batch's history, say) otherwise
        // spills its journal to a temporary file past 64 KiB, and that file's writes were a third of a close's.
        // SQLite's default page cache is 2 MiB per connection; a close batch's commit touches more pages than that
        // and read them again from the file (a 64 MiB cache took a third of a 100,000-customer close's reads away;
        // it fills only as pages are used).
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{CacheKibibytes};";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // BEGIN IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so two processes
        // never both read under a shared lock and then fail to upgrade.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    // Writers of this process queue here rather than in SQLite's busy handler, which polls the file lock with
    // sleeps (up to 100 ms, and Microsoft.Data.Sqlite's own 150 ms on top): a close committing a batch while the
    // outbox dispatcher and the rating grains write too would otherwise spend most of its time asleep.
    // Other processes on the same file still meet at the file lock.
    public override async ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken)
    {
        await writers.WaitAsync(cancellationToken);
        return new Turn(writers);
    }

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

    public override object Decimal(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public override string MonthStart(string column) => $"{column} || '-01T00:00:00.0000000Z'";

    public override string MonthEnd(string column) => $"strftime('%Y-%m-%dT%H:%M:%S', {column} || '-01', '+1 month') || '.0000000Z'";

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

    /// <summary>One writer's turn; disposing it lets the next writer of the process in.</summary>
    private sealed class Turn(SemaphoreSlim writers) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                writers.Release();
            }
        }
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

    public override string ForUpdate => " FOR UPDATE";

    public override string InList(string column, string parameter) => $"{column} = ANY(@{parameter})";

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

    public override object Decimal(decimal value) => value;

    public override string MonthStart(string column) => $"({column} || '-01T00:00:00Z')::timestamptz";

    public override string MonthEnd(string column) => $"({column} || '-01T00:00:00Z')::timestamptz + interval '1 month'";

    public override string SkipLocked => " FOR UPDATE SKIP LOCKED";

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

