using Microsoft.Extensions.Hosting;

namespace Tally.ClickHouse.Usage;

/// <summary>
/// The per-minute usage tables in ClickHouse. Each usage row remembers the log batch it came from
/// (<c>log_partition</c>, <c>batch_start</c>); a batch replayed after a crash writes rows with the
/// same sorting key, and ReplacingMergeTree plus FINAL keep exactly one copy of each.
/// </summary>
public sealed class UsageSchema(IClickHouse clickHouse) : IHostedService
{
    internal const string CreateSql = """
        CREATE TABLE IF NOT EXISTS usage_minutes
        (
            tenant_id LowCardinality(String),
            meter_id LowCardinality(String),
            subject String,
            group_by String,
            window_start DateTime('UTC'),
            value Decimal(38, 9),
            event_count UInt64,
            log_partition UInt32,
            batch_start UInt64,
            batch_end UInt64
        )
        ENGINE = ReplacingMergeTree(batch_end)
        ORDER BY (tenant_id, meter_id, subject, window_start, group_by, log_partition, batch_start)
        SETTINGS fsync_after_insert = 1
        """;

    /// <summary>
    /// One row per log batch the aggregator started to write, inserted before the batch's usage rows,
    /// so the replay check after a crash is a point lookup.
    /// </summary>
    internal const string CreateBatchesSql = """
        CREATE TABLE IF NOT EXISTS usage_batches
        (
            log_partition UInt32,
            batch_start UInt64,
            batch_end UInt64
        )
        ENGINE = ReplacingMergeTree(batch_end)
        ORDER BY (log_partition, batch_start)
        SETTINGS fsync_after_insert = 1
        """;

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await clickHouse.ExecuteAsync(CreateSql, null, cancellationToken);
        await clickHouse.ExecuteAsync(CreateBatchesSql, null, cancellationToken);
    }

    /// <summary>Creates the tables when the host starts, before it serves queries or aggregates.</summary>
    Task IHostedService.StartAsync(CancellationToken cancellationToken) => EnsureCreatedAsync(cancellationToken);

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
