using System.Data.Common;
using System.Text;

namespace Tally.Ledger;

/// <summary>
/// Many rows of the same statement inside the caller's transaction: <c>INSERT ... VALUES (...), (...)</c> and
/// <c>UPDATE ... FROM (VALUES ...)</c>, with as many rows a statement as the dialect does best
/// (<see cref="LedgerDialect.RowsPerStatement"/>): PostgreSQL takes hundreds at once, one round trip each;
/// SQLite runs one prepared single-row statement again and again. The close commits a whole batch of
/// customers this way in a handful of statements rather than a dozen per customer. Both databases name the
/// columns of a <c>VALUES</c> list <c>column1</c>, <c>column2</c>, ...
/// </summary>
internal static class RowBatches
{
    /// <summary>Inserts <paramref name="rows"/> (values in <paramref name="columns"/>' order) into <paramref name="table"/>; <paramref name="suffix"/> follows each statement (e.g. <c>ON CONFLICT ... DO NOTHING</c>).</summary>
    public static Task InsertAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, string table, IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows, string suffix, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, dialect, columns.Count, rows, values => $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES {values} {suffix}", cancellationToken);

    /// <summary>
    /// Runs <c>UPDATE {table} SET {set} FROM (VALUES ...) AS v WHERE {where}</c> over <paramref name="rows"/>;
    /// <paramref name="set"/> and <paramref name="where"/> refer to the values as <c>v.column1</c>, <c>v.column2</c>, ...
    /// </summary>
    public static Task UpdateFromAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, string table, string set, string where, int columns, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, dialect, columns, rows, values => $"UPDATE {table} SET {set} FROM (VALUES {values}) AS v WHERE {where}", cancellationToken);

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, int columns, IReadOnlyList<object?[]> rows, Func<string, string> sql, CancellationToken cancellationToken)
    {
        var perStatement = dialect.RowsPerStatement(columns);
        DbCommand? command = null;
        var commandRows = 0;
        try
        {
            for (var start = 0; start < rows.Count; start += perStatement)
            {
                var count = Math.Min(perStatement, rows.Count - start);
                if (command is null || commandRows != count)
                {
                    // The same text again reuses the prepared statement; only the last, shorter chunk needs another.
                    if (command is not null)
                    {
                        await command.DisposeAsync();
                    }

                    command = Command(connection, transaction, count, columns, sql);
                    commandRows = count;
                }

                for (var r = 0; r < count; r++)
                {
                    for (var c = 0; c < columns; c++)
                    {
                        command.Parameters[(r * columns) + c].Value = rows[start + r][c] ?? DBNull.Value;
                    }
                }

                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        finally
        {
            if (command is not null)
            {
                await command.DisposeAsync();
            }
        }
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, int rows, int columns, Func<string, string> sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var values = new StringBuilder();
        for (var r = 0; r < rows; r++)
        {
            values.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns; c++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"p{(r * columns) + c}";
                command.Parameters.Add(parameter);
                values.Append(c == 0 ? "@p" : ", @p").Append((r * columns) + c);
            }

            values.Append(')');
        }

        command.CommandText = sql(values.ToString());
        return command;
    }
}
