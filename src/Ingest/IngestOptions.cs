using System.ComponentModel.DataAnnotations;

namespace Tally.Ingest;

/// <summary>Configuration section <c>Ingest</c>: the event gateway's checks, caches and per-tenant defaults.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>How far past its arrival an event's <c>time</c> may lie; later events are refused (old ones are kept).</summary>
    [Range(0, 86_400, ErrorMessage = "Ingest:MaxFutureSkewSeconds must be between 0 and 86400 (one day).")]
    public int MaxFutureSkewSeconds { get; set; } = 300;

    /// <summary>How long a tenant's meters are cached before ingest reads them again (changes made through this process apply at once).</summary>
    [Range(1, 3_600, ErrorMessage = "Ingest:MeterCacheSeconds must be between 1 and 3600.")]
    public int MeterCacheSeconds { get; set; } = 5;

    /// <summary>Most tenants whose meters are cached at once.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Ingest:MeterCacheTenants must be between 1 and 10000000.")]
    public int MeterCacheTenants { get; set; } = 10_000;

    /// <summary>A tenant's requests per second to the ingest routes (HTTP and gRPC) unless the admin API sets its own.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Ingest:RequestsPerSecond must be between 1 and 10000000.")]
    public int RequestsPerSecond { get; set; } = 20_000;

    /// <summary>A tenant's events per second unless the admin API sets its own; a full batch may always burst.</summary>
    [Range(1, 100_000_000, ErrorMessage = "Ingest:EventsPerSecond must be between 1 and 100000000.")]
    public int EventsPerSecond { get; set; } = 2_000_000;

    /// <summary>The port of the gRPC ingest service (HTTP/2 without TLS); 0 picks a free one (read by the host; <c>--grpc-port</c> overrides).</summary>
    [Range(0, 65_535, ErrorMessage = "Ingest:GrpcPort must be between 0 and 65535.")]
    public int GrpcPort { get; set; }
}
