using Microsoft.Extensions.Logging;

namespace Tally.Aggregator;

/// <summary>Aggregator's log messages (event ids 2000-2099).</summary>
internal static partial class AggregatorLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Aggregator started in consumer group {Group}")]
    public static partial void Started(ILogger logger, string group);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Folded partition {Partition} [{Start}, {End}) into {Rows} usage rows")]
    public static partial void Folded(ILogger logger, int partition, long start, long end, int rows);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Partition {Partition} resumes at {Start}: replaying an unacknowledged batch up to {End}")]
    public static partial void Replaying(ILogger logger, int partition, long start, long end);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Writing partition {Partition} [{Start}, {End}) failed; retrying")]
    public static partial void WriteFailed(ILogger logger, Exception exception, int partition, long start, long end);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Partition {Partition} [{Start}, {End}): {Rejected} measurements rejected, {Unreadable} records unreadable")]
    public static partial void Rejected(ILogger logger, int partition, long start, long end, int rejected, int unreadable);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Partition {Partition} moved to another aggregator before {End} was committed; it will be replayed there")]
    public static partial void Revoked(ILogger logger, int partition, long end);
}
