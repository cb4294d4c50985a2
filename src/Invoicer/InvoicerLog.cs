using Microsoft.Extensions.Logging;

namespace Tally.Invoicer;

/// <summary>Invoicer's log messages (event ids 4000-4099).</summary>
internal static partial class InvoicerLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "The close worker could not lease or commit tasks; it tries again shortly")]
    public static partial void WorkerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Close step {Step} failed for {Count} tasks of run {RunId} (tenant {TenantId}); each is retried after its backoff")]
    public static partial void StepFailed(ILogger logger, Exception exception, string step, string tenantId, string runId, int count);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Tenant {TenantId}: close run {RunId} of {Period} started for {Customers} customers ({Kind}{DryRun})")]
    public static partial void RunStarted(ILogger logger, string tenantId, string runId, string period, int customers, string kind, string dryRun);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "The scheduler could not start the close of {Period} for tenant {TenantId}; other tenants go on")]
    public static partial void ScheduleFailed(ILogger logger, Exception exception, string tenantId, string period);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Publishing billing events ({EventId}) failed; they stay queued and are retried")]
    public static partial void PublishFailed(ILogger logger, Exception exception, string eventId);
}
