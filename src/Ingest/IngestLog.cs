using Microsoft.Extensions.Logging;

namespace Tally.Ingest;

/// <summary>Ingest's log messages (event ids 1000-1099).</summary>
internal static partial class IngestLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "Accepted {Count} events for tenant {TenantId}")]
    public static partial void Accepted(ILogger logger, string tenantId, int count);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Could not append {Count} events of tenant {TenantId} to the event log")]
    public static partial void AppendFailed(ILogger logger, Exception exception, string tenantId, int count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Refused {Count} events of tenant {TenantId}: the ingest buffer is full")]
    public static partial void BufferFull(ILogger logger, string tenantId, int count);
}
