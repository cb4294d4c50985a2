using System.Buffers;
using System.Data.Common;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tally.Ledger;

/// <summary>
/// Many rows of the same statement inside the caller's transaction: <c>INSERT ... VALUES (...), (...)</c> and
/// <c>UPDATE ... FROM (VALUES ...)</c>, with as many rows a statement as the dialect does best
/// (<see cref="LedgerDialect.RowsPerStatement"/>): PostgreSQL takes hundreds at once, one round trip each;
/// SQLite takes them all in one statement as one JSON parameter (<see cref="LedgerDialect.JsonRows"/>). The close commits a whole batch of
/// customers this way in a handful of statements rather than a dozen per customer. Both databases name the
/// columns of a <c>VALUES</c> list <c>column1</c>, <c>column2</c>, ...
/// </summary>
internal static class RowBatches
{
    /// <summary>Inserts <paramref name="rows"/> (values in <paramref name="columns"/>' order) into <paramref name="table"/>; <paramref name="suffix"/> follows each statement (e.g. <c>ON CONFLICT ... DO NOTHING</c>).</summary>
    public static Task InsertAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, string table, IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows, string suffix, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, dialect, columns.Count, rows, values => $"INSERT INTO {table} ({string.Join(", ", columns)}) {Values(values)} {suffix}", cancellationToken);

    /// <summary>
    /// Runs <c>UPDATE {table} SET {set} FROM (VALUES ...) AS v WHERE {where}</c> over <paramref name="rows"/>;
    /// <paramref name="set"/> and <paramref name="where"/> refer to the values as <c>v.column1</c>, <c>v.column2</c>, ...
    /// </summary>
    public static Task UpdateFromAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, string table, string set, string where, int columns, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, dialect, columns, rows, values => $"UPDATE {table} SET {set} FROM ({Values(values)}) AS v WHERE {where}", cancellationToken);

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, int columns, IReadOnlyList<object?[]> rows, Func<string, string> sql, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        if (dialect.JsonRows(columns, "rows") is { } source)
        {
            // One statement, one parameter: every row in a JSON array the database unpacks itself.
            await using var json = connection.CreateCommand();
            json.Transaction = transaction;
            json.CommandText = sql($"{source} WHERE true");
            var parameter = json.CreateParameter();
            parameter.ParameterName = "@rows";
            parameter.Value = Json(rows, columns);
            json.Parameters.Add(parameter);
            await json.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

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

    // A row source is either a parenthesised VALUES list or a SELECT from JSON (which ends in "WHERE true", so that an
    // INSERT's ON CONFLICT is not read as a join's ON).
    private static string Values(string source) => source.StartsWith('(') ? $"VALUES {source}" : source;

    /// <summary>The rows as a JSON array of arrays; a value is text, an integer or null (the ledger's encodings).</summary>
    private static string Json(IReadOnlyList<object?[]> rows, int columns)
    {
        var buffer = new ArrayBufferWriter<byte>(rows.Count * columns * 16);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartArray();
                for (var c = 0; c < columns; c++)
                {
                    switch (row[c])
                    {
                        case null or DBNull:
                            writer.WriteNullValue();
                            break;
                        case string text:
                            writer.WriteStringValue(text);
                            break;
                        case long number:
                            writer.WriteNumberValue(number);
                            break;
                        case int number:
                            writer.WriteNumberValue(number);
                            break;
                        case var other:
                            throw new ArgumentException($"A ledger row value of type {other.GetType().Name} has no JSON form here.", nameof(rows));
                    }
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
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
