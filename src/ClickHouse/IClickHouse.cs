using System.Data;

namespace Tally.ClickHouse;

/// <summary>
/// The ClickHouse boundary. One SQL text runs on either transport: embedded chDB (served over
/// ClickHouse's HTTP protocol) or a ClickHouse server; both are reached through ClickHouse.Driver.
/// Parameters use ClickHouse's <c>{name:Type}</c> placeholders.
/// </summary>
public interface IClickHouse
{
    /// <summary>Runs a statement that returns no rows (DDL, INSERT ... VALUES / FORMAT JSONEachRow).</summary>
    Task ExecuteAsync(string sql, IReadOnlyDictionary<string, object?>? parameters, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="insertSql"/> (<c>INSERT INTO t (columns) FORMAT f</c>) with <paramref name="rows"/>, already
    /// encoded in that format, as the request body: binary rows travel as they are, never as SQL text.
    /// </summary>
    Task InsertAsync(string insertSql, ReadOnlyMemory<byte> rows, CancellationToken cancellationToken);

    /// <summary>Runs a query and maps each row.</summary>
    Task<IReadOnlyList<T>> QueryAsync<T>(
        string sql,
        IReadOnlyDictionary<string, object?>? parameters,
        Func<IDataRecord, T> map,
        CancellationToken cancellationToken);

    /// <summary>Runs a query and maps each row as it arrives, for results too large to hold at once.</summary>
    IAsyncEnumerable<T> StreamAsync<T>(
        string sql,
        IReadOnlyDictionary<string, object?>? parameters,
        Func<IDataRecord, T> map,
        CancellationToken cancellationToken);
}
