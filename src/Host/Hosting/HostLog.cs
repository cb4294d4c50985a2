using Microsoft.Extensions.Logging;

namespace Tally.Host.Hosting;

/// <summary>Host log messages (event ids 5000-5099).</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Tally {Roles} listening on {BaseUrl}, data in {DataDirectory}")]
    public static partial void Listening(ILogger logger, TallyRoles roles, string baseUrl, string dataDirectory);
}
