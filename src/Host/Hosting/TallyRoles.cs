namespace Tally.Host.Hosting;

/// <summary>
/// What one Tally process runs. <c>./tally up</c> runs <see cref="All"/> in one process; a cluster runs
/// them as separate processes (several of each) over Kafka, ClickHouse and PostgreSQL.
/// </summary>
[Flags]
public enum TallyRoles
{
    None = 0,

    /// <summary>The HTTP event gateway: <c>POST /api/v1/events</c>, appending to the event log.</summary>
    Ingest = 1,

    /// <summary>The stream processor folding the event log into ClickHouse.</summary>
    Aggregator = 2,

    /// <summary>Meters, queries, plans, customers, live charges (Orleans silo), invoices and admin routes.</summary>
    Api = 4,

    All = Ingest | Aggregator | Api,
}
