using Microsoft.Extensions.Hosting;

namespace Tally.ClickHouse.Usage;

/// <summary>
/// The usage store's tables. <c>events</c> holds every stored event once per identity: the aggregator
/// deduplicates before inserting, and the sorting key ends with the identity digest, so the only
/// copies that can ever meet (an identical row inserted again by a replay or by a stalled aggregator
/// whose partition moved) collapse in ReplacingMergeTree and every read uses FINAL. Partitioned by
/// the month of the event's time, which is also what retention drops. <c>rejected_events</c> is the
/// dead-letter place.
/// </summary>
public sealed class UsageSchema(IClickHouse clickHouse) : IHostedService
{
    internal const string CreateEventsSql = """
        CREATE TABLE IF NOT EXISTS events
        (
            tenant_id LowCardinality(String),
            type LowCardinality(String),
            subject String,
            time DateTime64(3, 'UTC'),
            source String,
            id String,
            data String,
            ingested_at DateTime64(3, 'UTC'),
            stored_at DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC'),
            identity UInt128,
            payload UInt64,
            log_partition UInt16,
            log_position UInt64
        )
        ENGINE = ReplacingMergeTree
        PARTITION BY toYYYYMM(time)
        ORDER BY (tenant_id, type, subject, time, identity)
        SETTINGS fsync_after_insert = 1
        """;

    internal const string CreateRejectedSql = """
        CREATE TABLE IF NOT EXISTS rejected_events
        (
            tenant_id LowCardinality(String),
            rejected_at DateTime64(3, 'UTC'),
            reason String,
            raw String,
            type String,
            subject String,
            time DateTime64(3, 'UTC'),
            source String,
            id String,
            data String,
            ingested_at DateTime64(3, 'UTC'),
            identity UInt128,
            log_partition UInt16,
            log_position UInt64
        )
        ENGINE = ReplacingMergeTree
        ORDER BY (tenant_id, log_partition, log_position)
        SETTINGS fsync_after_insert = 1
        """;

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await clickHouse.ExecuteAsync(CreateEventsSql, null, cancellationToken);
        await clickHouse.ExecuteAsync(CreateRejectedSql, null, cancellationToken);
    }

    /// <summary>Creates the tables when the host starts, before it serves queries or aggregates.</summary>
    Task IHostedService.StartAsync(CancellationToken cancellationToken) => EnsureCreatedAsync(cancellationToken);

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
