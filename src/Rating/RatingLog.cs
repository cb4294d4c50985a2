using Microsoft.Extensions.Logging;

namespace Tally.Rating;

/// <summary>Rating's log messages (event ids 3000-3099).</summary>
internal static partial class RatingLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "Rating grain {Key} built: {Features} metered features, {Windows} windows with usage, valid until {HorizonEnd:O}")]
    public static partial void GrainBuilt(ILogger logger, string key, int features, int windows, DateTime horizonEnd);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Applying usage deltas of partition {Partition} at {Position} failed; retrying the batch")]
    public static partial void DeltaBatchFailed(ILogger logger, Exception exception, int partition, long position);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Reading or committing usage deltas failed; trying again")]
    public static partial void DeltaLogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "A usage delta record at partition {Partition} position {Position} could not be read; skipped")]
    public static partial void DeltaUnreadable(ILogger logger, int partition, long position);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Notification {EventId} to channel {ChannelId}: {State} (HTTP {Status})")]
    public static partial void Delivered(ILogger logger, string eventId, string channelId, string state, int status);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "The webhook dispatcher failed a round; it tries again")]
    public static partial void DispatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Usage delta consumer started in group {Group}")]
    public static partial void DeltaConsumerStarted(ILogger logger, string group);
}
