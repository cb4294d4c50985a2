using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
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

/// <summary>OpenMeter's <c>POST /api/v1/events</c>: answers 204 only once every event is durable in the log.</summary>
public static class EventEndpoints
{
    private const string Supported = "application/cloudevents+json, application/cloudevents-batch+json or application/json";

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/events", IngestAsync).RequireAuthorization(TallyClaims.TenantPolicy).RequireRateLimiting(IngestRateLimits.PolicyName);
        return routes;
    }

    private static async Task<IResult> IngestAsync(HttpContext context, IEventLog log, TenantMeterCatalog meters, IngestRateLimits limits, TimeProvider clock, IOptions<IngestOptions> options, ILoggerFactory loggers)
    {
        var contentType = context.Request.ContentType ?? "";
        bool? expectBatch;
        switch (MediaType(contentType))
        {
            case "application/cloudevents+json":
                expectBatch = false;
                break;
            case "application/cloudevents-batch+json":
                expectBatch = true;
                break;
            case "application/json":
                expectBatch = null;
                break;
            default:
                return Problems.UnsupportedMediaType(contentType.Length == 0 ? "(none)" : contentType, Supported);
        }

        var body = await ReadBodyAsync(context.Request.BodyReader, context.RequestAborted);
        var batch = CloudEventParser.Parse(body, expectBatch, clock.GetUtcNow(), new CloudEventRules(TimeSpan.FromSeconds(options.Value.MaxFutureSkewSeconds)));
        if (!batch.IsValid)
        {
            return Problems.Validation(batch.Errors);
        }

        var tenantId = context.User.GetTenantId();
        var refusals = MeasurabilityCheck.Refusals(batch.Events, await meters.GetAsync(tenantId, context.RequestAborted), tenantId, batch.IsArray);
        if (refusals.Count > 0)
        {
            return Problems.Validation(refusals);
        }

        if (limits.TryTakeEvents(context.User, batch.Events.Count) is { } retryAfter)
        {
            await IngestRateLimits.Write(context, retryAfter, $"more than {limits.EventsPerSecond(context.User)} events per second");
            return Results.Empty;
        }

        var records = new LogRecord[batch.Events.Count];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = new LogRecord(EventKey.For(new EventIdentity(tenantId, batch.Events[i].Source, batch.Events[i].Id)), batch.Events[i].Json);
        }

        var logger = loggers.CreateLogger(typeof(EventEndpoints));
        try
        {
            await log.AppendAsync(records, context.RequestAborted);
        }
        catch (StorageFullException ex)
        {
            // Answered as storage-full (503, Retry-After) by the shared problem mapping; nothing was stored.
            IngestLog.AppendFailed(logger, ex, tenantId, records.Length);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not acknowledged: the client must retry the whole request (events carry ids for that).
            IngestLog.AppendFailed(logger, ex, tenantId, records.Length);
            context.Response.Headers.RetryAfter = "1";
            return Results.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Event log unavailable",
                detail: "The events could not be stored durably and were not acknowledged; retry the same request shortly.",
                type: "https://tally.dev/problems/event-log-unavailable");
        }

        IngestLog.Accepted(logger, tenantId, records.Length);
        return Results.NoContent();
    }

    private static string MediaType(string contentType)
    {
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
