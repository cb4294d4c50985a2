using System.Data;
using System.Runtime.InteropServices;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using Microsoft.Extensions.Logging;
using Tally.Billing;

namespace Tally.ClickHouse;

/// <summary>
/// <see cref="IClickHouse"/> over ClickHouse.Driver (HTTP), for a ClickHouse server and for the
/// embedded engine's endpoint alike. Creates the connection string's database on first use.
/// Driver exceptions are mapped to <see cref="ClickHouseQueryException"/>.
/// </summary>
public sealed class DriverClickHouse : IClickHouse, IDisposable
{
    private readonly string connectionString;
    private readonly string parametersConnectionString;
    private readonly string database;
    private readonly string serverConnectionString;
    private readonly HttpClient httpClient;
    private readonly ILogger<DriverClickHouse> logger;
    private readonly SemaphoreSlim databaseGate = new(1, 1);
    private volatile bool databaseReady;

    /// <summary>Connects to the server described by a ClickHouse.Driver connection string.</summary>
    public DriverClickHouse(string connectionString, ILogger<DriverClickHouse> logger)
    {
        var builder = new ClickHouseConnectionStringBuilder(connectionString);
        database = string.IsNullOrEmpty(builder.Database) ? "default" : builder.Database;
        this.connectionString = builder.ConnectionString;
        // Parameters travel in a multipart body rather than the URL, so long values and many subjects
        // never hit a URL length limit (ClickHouse answers 414 past it).
        parametersConnectionString = new ClickHouseConnectionStringBuilder(builder.ConnectionString) { ["UseFormDataParameters"] = true }.ConnectionString;
        // CREATE DATABASE must run without the (possibly missing) database selected.
        builder.Database = "default";
        serverConnectionString = builder.ConnectionString;
        this.logger = logger;
        // One HttpClient for all commands, so connections are pooled instead of opened per statement.
        httpClient = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <inheritdoc />
    public async Task ExecuteAsync(string sql, IReadOnlyDictionary<string, object?>? parameters, CancellationToken cancellationToken)
    {
        await EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = new ClickHouseConnection(parameters is { Count: > 0 } ? parametersConnectionString : connectionString, httpClient);
        await using var command = CreateCommand(connection, sql, parameters);
        await Translate(() => command.ExecuteNonQueryAsync(cancellationToken), sql).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task InsertAsync(string insertSql, ReadOnlyMemory<byte> rows, CancellationToken cancellationToken)
    {
        await EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = new ClickHouseConnection(connectionString, httpClient);
        // The statement goes in the URL's query argument and the rows are the body, as ClickHouse's HTTP
        // interface reads an INSERT (the embedded endpoint joins them the same way).
        using var body = MemoryMarshal.TryGetArray(rows, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(rows.ToArray(), writable: false);
        using var response = await Translate(() => connection.PostStreamAsync(insertSql, body, isCompressed: false, cancellationToken), insertSql).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<T>> QueryAsync<T>(
        string sql,
        IReadOnlyDictionary<string, object?>? parameters,
        Func<IDataRecord, T> map,
        CancellationToken cancellationToken)
    {
        await EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = new ClickHouseConnection(parameters is { Count: > 0 } ? parametersConnectionString : connectionString, httpClient);
        await using var command = CreateCommand(connection, sql, parameters);
        return await Translate(
            async () =>
            {
                var rows = new List<T>();
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(map(reader));
                }

                return (IReadOnlyList<T>)rows;
            },
            sql).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<T> StreamAsync<T>(
        string sql,
        IReadOnlyDictionary<string, object?>? parameters,
        Func<IDataRecord, T> map,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = new ClickHouseConnection(parameters is { Count: > 0 } ? parametersConnectionString : connectionString, httpClient);
        await using var command = CreateCommand(connection, sql, parameters);
        var reader = await Translate(() => command.ExecuteReaderAsync(cancellationToken), sql).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await Translate(() => reader.ReadAsync(cancellationToken), sql).ConfigureAwait(false))
            {
                yield return map(reader);
            }
        }
    }

    /// <summary>Releases the pooled HTTP connections.</summary>
    public void Dispose()
    {
        httpClient.Dispose();
        databaseGate.Dispose();
    }

    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        if (databaseReady)
        {
            return;
        }

        await databaseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (databaseReady)
            {
                return;
            }

            var sql = $"CREATE DATABASE IF NOT EXISTS `{database.Replace("`", "``", StringComparison.Ordinal)}`";
            await using var connection = new ClickHouseConnection(serverConnectionString, httpClient);
            await using var command = CreateCommand(connection, sql, null);
            await Translate(() => command.ExecuteNonQueryAsync(cancellationToken), sql).ConfigureAwait(false);
            databaseReady = true;
            ClickHouseLog.DatabaseReady(logger, database);
        }
        finally
        {
            databaseGate.Release();
        }
    }

    private static ClickHouseCommand CreateCommand(
        ClickHouseConnection connection,
        string sql,
        IReadOnlyDictionary<string, object?>? parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters ?? new Dictionary<string, object?>())
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private async Task<TResult> Translate<TResult>(Func<Task<TResult>> action, string sql)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            // Connection refused or reset: the server (or the embedded child, while it restarts) is away.
            throw new StoreUnavailableException("ClickHouse", $"ClickHouse does not answer: {ex.Message}", ex);
        }
        catch (ClickHouseServerException ex)
        {
            ClickHouseLog.StatementFailed(logger, ex.ErrorCode, sql.Length > 200 ? sql[..200] : sql);
            var code = ex.ErrorCode != 0 ? ex.ErrorCode : ClickHouseQueryException.ParseCode(ex.Message);
            throw new ClickHouseQueryException(code, ex.Message, ex);
        }
    }
}
