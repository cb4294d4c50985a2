using Microsoft.Extensions.Logging;

namespace Tally.ClickHouse;

/// <summary>Every log message of the ClickHouse adapter, with stable event ids (4100-4199).</summary>
internal static partial class ClickHouseLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Embedded ClickHouse rejected credentials for user {User}")]
    public static partial void AuthenticationFailed(ILogger logger, string user);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Embedded ClickHouse query {QueryId} failed with code {Code}: {Message}")]
    public static partial void QueryFailed(ILogger logger, int code, string queryId, string message);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "Embedded ClickHouse ignores unknown setting {Setting}")]
    public static partial void SettingIgnored(ILogger logger, string setting);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Information, Message = "Embedded ClickHouse on {DataDirectory} listening at {Endpoint}")]
    public static partial void Started(ILogger logger, string dataDirectory, Uri endpoint);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "Embedded ClickHouse on {DataDirectory} closed")]
    public static partial void Stopped(ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = 4120, Level = LogLevel.Information, Message = "ClickHouse database {Database} is ready")]
    public static partial void DatabaseReady(ILogger logger, string database);

    [LoggerMessage(EventId = 4121, Level = LogLevel.Warning, Message = "ClickHouse rejected a statement with code {Code}: {Sql}")]
    public static partial void StatementFailed(ILogger logger, int code, string sql);

    [LoggerMessage(EventId = 4130, Message = "embedded ClickHouse: {Line}")]
    public static partial void ChildOutput(ILogger logger, LogLevel level, string line);

    [LoggerMessage(EventId = 4131, Level = LogLevel.Information, Message = "Embedded ClickHouse runs as process {ProcessId} on 127.0.0.1:{Port} with data in {EngineDirectory}")]
    public static partial void ChildStarted(ILogger logger, int processId, int port, string engineDirectory);

    [LoggerMessage(EventId = 4132, Level = LogLevel.Error, Message = "Embedded ClickHouse process {ProcessId} exited with code {ExitCode}; restarting in {Backoff}")]
    public static partial void ChildExited(ILogger logger, int processId, int exitCode, TimeSpan backoff);

    [LoggerMessage(EventId = 4133, Level = LogLevel.Warning, Message = "Embedded ClickHouse could not be restarted; trying again")]
    public static partial void ChildRestartFailed(ILogger logger, Exception exception);
}
