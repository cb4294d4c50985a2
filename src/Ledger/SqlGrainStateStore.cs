using Dapper;
using Tally.Billing;

namespace Tally.Ledger;

/// <summary>Grain state rows with optimistic concurrency on an etag (a fresh GUID per write).</summary>
internal sealed class SqlGrainStateStore(LedgerDatabase database) : IGrainStateStore
{
    public async Task<(string State, string ETag)?> ReadAsync(string grainType, string grainId, CancellationToken cancellationToken)
    {
        var row = await database.ReadAsync(
            connection => connection.QuerySingleOrDefaultAsync<StateRow>(LedgerDatabase.Command(
                "SELECT state, etag FROM grain_state WHERE grain_type = @GrainType AND grain_id = @GrainId",
                new { GrainType = grainType, GrainId = grainId },
                null,
                cancellationToken)),
            cancellationToken);
        return row is null ? null : (row.State, row.ETag);
    }

    public Task<string?> WriteAsync(string grainType, string grainId, string state, string? expectedETag, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync<string?>(
            async (connection, transaction) =>
            {
                var etag = Guid.NewGuid().ToString("N");
                var parameters = new { GrainType = grainType, GrainId = grainId, State = state, ETag = etag, Expected = expectedETag, At = database.Dialect.Instant(at) };
                var written = expectedETag is null
                    ? await connection.ExecuteAsync(LedgerDatabase.Command(
                        "INSERT INTO grain_state (grain_type, grain_id, etag, state, updated_at) VALUES (@GrainType, @GrainId, @ETag, @State, @At) ON CONFLICT DO NOTHING",
                        parameters,
                        transaction,
                        cancellationToken))
                    : await connection.ExecuteAsync(LedgerDatabase.Command(
                        "UPDATE grain_state SET etag = @ETag, state = @State, updated_at = @At WHERE grain_type = @GrainType AND grain_id = @GrainId AND etag = @Expected",
                        parameters,
                        transaction,
                        cancellationToken));
                return (written == 1 ? etag : null, true);
            },
            cancellationToken);

    public Task ClearAsync(string grainType, string grainId, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                "DELETE FROM grain_state WHERE grain_type = @GrainType AND grain_id = @GrainId",
                new { GrainType = grainType, GrainId = grainId },
                transaction,
                cancellationToken)),
            cancellationToken);

    private sealed class StateRow
    {
        public string State { get; set; } = "";

        public string ETag { get; set; } = "";
    }
}
