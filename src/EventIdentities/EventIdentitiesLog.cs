using Microsoft.Extensions.Logging;

namespace Tally.EventIdentities;

/// <summary>Every log message of the event identity index, with stable event ids (7000-7099).</summary>
internal static partial class EventIdentitiesLog
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Opened event identity index {Directory} holding {Identities} identities in {Partitions} partitions")]
    public static partial void Opened(ILogger logger, string directory, long identities, int partitions);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Closed event identity index {Directory}")]
    public static partial void Closed(ILogger logger, string directory);
}
