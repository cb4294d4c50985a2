using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing;
using Tally.Billing.EventLog;
using Tally.Ingest.RateLimits;
using Tally.ServiceDefaults;

namespace Tally.Ingest.Events;

/// <summary>OpenMeter's <c>POST /api/v1/events</c>: answers 204 only once every event is durable in the log.</summary>
public static class EventEndpoints
{
    private const string Supported = "application/cloudevents+json, application/cloudevents-batch+json or application/json";

    /// <summary>Seconds a client waits after a full ingest buffer: long enough for a recovered Kafka to take a segment.</summary>
    public const int BufferFullRetryAfterSeconds = 5;

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/events", IngestAsync).RequireAuthorization(TallyClaims.TenantPolicy).RequireRateLimiting(IngestRateLimits.PolicyName);
        return routes;
    }

    private static async Task<IResult> IngestAsync(HttpContext context, EventIngestion ingestion)
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
        switch (await ingestion.IngestAsync(context.User, body, expectBatch, context.RequestAborted))
        {
            case IngestOutcome.Invalid invalid:
                return Problems.Validation(invalid.Errors);
            case IngestOutcome.Limited limited:
                await IngestRateLimits.Write(context, limited.RetryAfter, limited.What);
                return Results.Empty;
            case IngestOutcome.Unavailable { Failure: StorageFullException full }:
                // Answered as storage-full (503, Retry-After) by the shared problem mapping; nothing was stored.
                ExceptionDispatchInfo.Throw(full);
                return Results.Empty;
            case IngestOutcome.Unavailable { Failure: EventLogFullException }:
                context.Response.Headers.RetryAfter = BufferFullRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Ingest buffer full",
                    detail: $"Kafka is slow or unreachable and this gateway's buffer is full; nothing of this request was stored. Retry the same request after {BufferFullRetryAfterSeconds} s.",
                    type: "https://tally.dev/problems/ingest-buffer-full");
            case IngestOutcome.Unavailable:
                context.Response.Headers.RetryAfter = "1";
                return Results.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Event log unavailable",
                    detail: "The events could not be stored durably and were not acknowledged; retry the same request shortly.",
                    type: "https://tally.dev/problems/event-log-unavailable");
            default:
                return Results.NoContent();
        }
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
