using Microsoft.Extensions.Logging;

namespace Tally.Aggregator;

/// <summary>Aggregator's log messages (event ids 2000-2099).</summary>
internal static partial class AggregatorLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Aggregator started in consumer group {Group}")]
    public static partial void Started(ILogger logger, string group);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Partition {Partition} [{Start}, {End}): stored {Stored} events, dropped {Resent} re-sent, rejected {Rejected}")]
    public static partial void Stored(ILogger logger, int partition, long start, long end, int stored, int resent, int rejected);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Partition {Partition}: completing its identity index from the event store ({Through} to {Position})")]
    public static partial void CompletingIndex(ILogger logger, int partition, long through, long position);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Storing partition {Partition} [{Start}, {End}) failed; retrying")]
    public static partial void WriteFailed(ILogger logger, Exception exception, int partition, long start, long end);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Partition {Partition}: identity index completed with {Added} identities from the store, now complete through {Position}")]
    public static partial void IndexCompleted(ILogger logger, int partition, long added, long position);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Retention: tenant {TenantId} keeps events from {Before:O} on")]
    public static partial void RetentionApplied(ILogger logger, string tenantId, DateTimeOffset before);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Retention pass failed; it runs again at the next interval")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Debug, Message = "Rolled up {Hours} meter-hours")]
    public static partial void RolledUp(ILogger logger, int hours);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Roll-up pass failed; it runs again at the next interval")]
    public static partial void RollupFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Partition {Partition} moved to another aggregator before {End} was committed; it will be replayed there")]
    public static partial void Revoked(ILogger logger, int partition, long end);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "A live query of meter {MeterSlug} failed; the stream retries at its next interval")]
    public static partial void StreamQueryFailed(ILogger logger, Exception exception, string meterSlug);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Error, Message = "The aggregator failed and starts again in {Seconds} s from the committed positions (a replay is harmless: identities are counted once)")]
    public static partial void Restarting(ILogger logger, Exception exception, double seconds);
}
