using Microsoft.Extensions.Hosting;

namespace Tally.ClickHouse.Usage;

/// <summary>
/// The usage store's tables. <c>events</c> holds every stored event once per identity: the aggregator
/// deduplicates before inserting, and the sorting key ends with the identity digest, so the only
/// copies that can ever meet (an identical row inserted again by a replay or by a stalled aggregator
/// whose partition moved) collapse in ReplacingMergeTree and every read uses FINAL. Partitioned by
/// the month of the event's time, which is also what retention drops. Granules of 1,024 rows, not
/// 8,192: one customer's month is a few hundred to a few thousand rows spread over every part of the
/// month, and reading a whole 8,192-row granule of each part for them was most of a month query's time
/// (docs/benchmarks.md, "Meter queries"). Tables made before this keep their granularity.
/// <c>rejected_events</c> is the dead-letter place.
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
        SETTINGS fsync_after_insert = 1, index_granularity = 1024
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

    /// <summary>The latest instant each tenant-hour received new events (written after the events themselves).</summary>
    internal const string CreateTouchesSql = """
        CREATE TABLE IF NOT EXISTS usage_touches
        (
            tenant_id LowCardinality(String),
            hour DateTime('UTC'),
            touched_at DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC')
        )
        ENGINE = ReplacingMergeTree(touched_at)
        ORDER BY (tenant_id, hour)
        """;

    /// <summary>
    /// Pre-aggregated usage: every meter's aggregate states per tenant, hour and subject, recomputed
    /// whole from <c>events FINAL</c> (so exact by construction) and replaced by version, never added to.
    /// </summary>
    internal const string CreateHourlySql = """
        CREATE TABLE IF NOT EXISTS usage_hourly
        (
            tenant_id LowCardinality(String),
            meter_id LowCardinality(String),
            hour DateTime('UTC'),
            subject String,
            version DateTime64(6, 'UTC'),
            total AggregateFunction(sum, Nullable(Decimal(76, 9))),
            events AggregateFunction(count),
            numbers AggregateFunction(count, Nullable(Decimal(76, 9))),
            smallest AggregateFunction(min, Nullable(Decimal(76, 9))),
            largest AggregateFunction(max, Nullable(Decimal(76, 9))),
            distinct_values AggregateFunction(uniqExact, String),
            latest AggregateFunction(argMax, Decimal(76, 9), Tuple(DateTime64(3, 'UTC'), String, String))
        )
        ENGINE = ReplacingMergeTree(version)
        ORDER BY (tenant_id, meter_id, hour, subject)
        SETTINGS fsync_after_insert = 1
        """;

    /// <summary>For each meter and hour, the touch the last recomputation covered: behind the touch means stale.</summary>
    internal const string CreateRollupsSql = """
        CREATE TABLE IF NOT EXISTS usage_rollups
        (
            tenant_id LowCardinality(String),
            meter_id LowCardinality(String),
            hour DateTime('UTC'),
            through DateTime64(6, 'UTC')
        )
        ENGINE = ReplacingMergeTree(through)
        ORDER BY (tenant_id, meter_id, hour)
        SETTINGS fsync_after_insert = 1
        """;

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        foreach (var sql in new[] { CreateEventsSql, CreateRejectedSql, CreateTouchesSql, CreateHourlySql, CreateRollupsSql })
        {
            await clickHouse.ExecuteAsync(sql, null, cancellationToken);
        }

        // Events stored before hours were tracked have no touches: give them one, once, so they get rolled up.
        await clickHouse.ExecuteAsync(
            "INSERT INTO usage_touches (tenant_id, hour) SELECT DISTINCT tenant_id, toStartOfHour(time) FROM events WHERE (SELECT count() FROM usage_touches) = 0",
            null,
            cancellationToken);
    }

    /// <summary>Creates the tables when the host starts, before it serves queries or aggregates.</summary>
    Task IHostedService.StartAsync(CancellationToken cancellationToken) => EnsureCreatedAsync(cancellationToken);

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
