using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing;
using Tally.Billing.EventLog;
using Tally.Billing.Events;
using Tally.Billing.Meters;
using Tally.Ingest.Meters;
using Tally.Ingest.RateLimits;
using Tally.ServiceDefaults;

namespace Tally.Ingest.Events;

/// <summary>What became of one ingest request, for HTTP or gRPC to answer.</summary>
public abstract record IngestOutcome
{
    /// <summary>Every event is durable in the event log.</summary>
    public sealed record Accepted(int Count) : IngestOutcome;

    /// <summary>Refused; nothing stored.</summary>
    public sealed record Invalid(IReadOnlyList<FieldError> Errors) : IngestOutcome;

    /// <summary>Over the tenant's events per second; nothing stored.</summary>
    public sealed record Limited(TimeSpan RetryAfter, string What) : IngestOutcome;

    /// <summary>The log could not store the events (<see cref="StorageFullException"/>, <see cref="EventLogFullException"/> or another failure); nothing acknowledged.</summary>
    public sealed record Unavailable(Exception Failure) : IngestOutcome;
}

/// <summary>
/// One ingest request, whatever the protocol: parse and validate (<see cref="CloudEventParser"/>), check the
/// events against the tenant's meters, take the tenant's events-per-second permits, append to the log
/// keyed by event identity, and report the outcome.
/// </summary>
public sealed class EventIngestion(
    IEventLog log,
    TenantMeterCatalog meters,
    IngestRateLimits limits,
    TimeProvider clock,
    IOptions<IngestOptions> options,
    ILogger<EventIngestion> logger)
{
    private readonly CloudEventRules _rules = new(TimeSpan.FromSeconds(options.Value.MaxFutureSkewSeconds));

    public async Task<IngestOutcome> IngestAsync(ClaimsPrincipal user, ReadOnlyMemory<byte> body, bool? expectBatch, CancellationToken cancellationToken)
    {
        var batch = CloudEventParser.Parse(body, expectBatch, clock.GetUtcNow(), _rules);
        if (!batch.IsValid)
        {
            return new IngestOutcome.Invalid(batch.Errors);
        }

        var tenantId = user.GetTenantId();
        var refusals = MeasurabilityCheck.Refusals(batch.Events, await meters.GetAsync(tenantId, cancellationToken), tenantId, batch.IsArray);
        if (refusals.Count > 0)
        {
            return new IngestOutcome.Invalid(refusals);
        }

        if (limits.TryTakeEvents(user, batch.Events.Count) is { } retryAfter)
        {
            return new IngestOutcome.Limited(retryAfter, $"more than {limits.EventsPerSecond(user)} events per second");
        }

        var records = new LogRecord[batch.Events.Count];
        for (var i = 0; i < records.Length; i++)
        {
            var usage = batch.Events[i];
            records[i] = new LogRecord(EventKey.For(new EventIdentity(tenantId, usage.Source, usage.Id)), usage.Json);
        }

        try
        {
            await log.AppendAsync(records, cancellationToken);
        }
        catch (EventLogFullException full)
        {
            // The buffer logs the transition to full once; each refusal is only worth a debug line.
            IngestLog.BufferFull(logger, tenantId, records.Length);
            return new IngestOutcome.Unavailable(full);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not acknowledged: the client must retry the whole request (events carry ids for that).
            IngestLog.AppendFailed(logger, ex, tenantId, records.Length);
            return new IngestOutcome.Unavailable(ex);
        }

        IngestLog.Accepted(logger, tenantId, records.Length);
        return new IngestOutcome.Accepted(records.Length);
    }
}
