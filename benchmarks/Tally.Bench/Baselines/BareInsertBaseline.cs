using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.Aggregator;
using Tally.Billing.EventLog;
using Tally.Billing.Events;
using Tally.ClickHouse;
using Tally.ClickHouse.Events;
using Tally.ClickHouse.Usage;

namespace Tally.Bench.Baselines;

/// <summary>A bare INSERT's rate and the bytes per event it left on disk.</summary>
public sealed record InsertBaselineResult(double RowsPerSecond, double BytesPerRow);

/// <summary>
/// The floor under the aggregator's write: the same rows it stores (each identity once), inserted into
/// a fresh database of the same ClickHouse through the same <see cref="EventStore"/> in chunks of the
/// aggregator's batch size (20,000), with no log, no dedup and no identity index.
/// </summary>
public static class BareInsertBaseline
{
    public static async Task<InsertBaselineResult> RunAsync(string connectionString, IReadOnlyList<LogRecord[]> batches, CancellationToken cancellationToken)
    {
        var rows = batches.SelectMany(b => b).Select(ToStored).DistinctBy(e => e.IdentityDigest).ToList();
        var database = $"bench_bare_{Guid.NewGuid():N}";
        using var clickHouse = Connect(connectionString, database);
        await new UsageSchema(clickHouse).EnsureCreatedAsync(cancellationToken);
        var store = new EventStore(clickHouse);
        var started = Stopwatch.GetTimestamp();
        foreach (var chunk in rows.Chunk(20_000))
        {
            await store.InsertAsync(chunk, cancellationToken);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var bytes = await EventBytesAsync(clickHouse, cancellationToken);
        await clickHouse.ExecuteAsync($"DROP DATABASE IF EXISTS {database}", null, cancellationToken);
        return new InsertBaselineResult(rows.Count / elapsed.TotalSeconds, (double)bytes / rows.Count);
    }

    /// <summary>A driver on <paramref name="database"/> of the engine <paramref name="connectionString"/> names.</summary>
    public static DriverClickHouse Connect(string connectionString, string database) =>
        new(new global::ClickHouse.Driver.ADO.ClickHouseConnectionStringBuilder(connectionString) { Database = database }.ConnectionString, NullLogger<DriverClickHouse>.Instance);

    /// <summary>Bytes on disk of the active parts of the <c>events</c> table of the connection's database.</summary>
    public static async Task<long> EventBytesAsync(DriverClickHouse clickHouse, CancellationToken cancellationToken) =>
        (await clickHouse.QueryAsync(
            "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = currentDatabase() AND table = 'events' AND active",
            null,
            record => Convert.ToInt64(record.GetValue(0), CultureInfo.InvariantCulture),
            cancellationToken))[0];

    private static StoredEvent ToStored(LogRecord record)
    {
        var tenant = EventKey.TenantOf(record.Key) ?? throw new InvalidOperationException($"log key {record.Key} names no tenant");
        if (!LoggedEventReader.TryRead(tenant, record.Value.Span, out var read, out var reason))
        {
            throw new InvalidOperationException(reason);
        }

        return read with { IdentityDigest = EventDigests.Identity(read.Identity), PayloadDigest = EventDigests.Payload(read) };
    }
}
