using Npgsql;

namespace Tally.EndToEnd;

/// <summary>
/// A schema of its own in the PostgreSQL of <c>TALLY_TEST_POSTGRES</c> (see eng/start-postgres.sh) for one
/// test, handed to every process as its ledger; the test reports itself skipped without that variable.
/// </summary>
internal sealed class PostgresSchema : IAsyncDisposable
{
    public const string EnvironmentVariable = "TALLY_TEST_POSTGRES";

    private readonly string _admin;
    private readonly string _schema = "e2e_" + Guid.NewGuid().ToString("N");

    private PostgresSchema(string admin)
    {
        _admin = admin;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { SearchPath = _schema }.ConnectionString;
    }

    /// <summary>The ledger's connection string: the schema first on the search path, where the migrations create the tables.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresSchema> CreateOrSkipAsync()
    {
        var admin = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(admin))
        {
            Assert.Skip($"{EnvironmentVariable} is not set; run eng/start-postgres.sh and export its output to run the close over a shared PostgreSQL ledger.");
        }

        var schema = new PostgresSchema(admin);
        await schema.ExecuteAsync(schema._admin, $"CREATE SCHEMA \"{schema._schema}\"");
        return schema;
    }

    /// <summary>The first column of every row <paramref name="sql"/> returns, read straight from the ledger.</summary>
    public async Task<IReadOnlyList<string>> ColumnAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetValue(0).ToString()!);
        }

        return values;
    }

    public async ValueTask DisposeAsync() => await ExecuteAsync(_admin, $"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");

    private async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
