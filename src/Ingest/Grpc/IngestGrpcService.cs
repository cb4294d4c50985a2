using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Tally.Billing;
using Tally.Billing.EventLog;
using Tally.Ingest.Events;
using Tally.Ingest.Grpc.V1;
using Tally.Ingest.RateLimits;
using Tally.ServiceDefaults;
using Status = Google.Rpc.Status;

namespace Tally.Ingest.Grpc;

/// <summary>
/// The gRPC ingest service (<c>tally.ingest.v1.IngestService</c>): the same authentication (bearer API key
/// in metadata), validation, limits and durability as <c>POST /api/v1/events</c>, with errors as
/// google.rpc rich status details.
/// </summary>
public sealed class IngestGrpcService(EventIngestion ingestion, IngestRateLimits limits) : IngestService.IngestServiceBase
{
    public override async Task<IngestReply> IngestBatch(CloudEventBatch request, ServerCallContext context)
    {
        var http = Authorize(context);
        return new IngestReply { Accepted = await IngestAsync(http, request, null, context.CancellationToken) };
    }

    public override async Task<IngestReply> IngestStream(IAsyncStreamReader<CloudEventBatch> requestStream, ServerCallContext context)
    {
        var http = Authorize(context);
        long accepted = 0;
        var message = 0;
        await foreach (var batch in requestStream.ReadAllAsync(context.CancellationToken))
        {
            accepted += await IngestAsync(http, batch, $"messages[{message}]", context.CancellationToken);
            message++;
        }

        return new IngestReply { Accepted = accepted };
    }

    private HttpContext Authorize(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (http.User.FindFirst(TallyClaims.TenantId) is null)
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.Unauthenticated, "Send metadata 'authorization: Bearer <api key>' with a tenant API key."));
        }

        if (limits.TryTakeRequest(http.User) is { } retryAfter)
        {
            throw Retry(Code.ResourceExhausted, retryAfter, "This tenant sent more requests per second than its limit; nothing of this call was stored.");
        }

        return http;
    }

    private async Task<int> IngestAsync(HttpContext http, CloudEventBatch batch, string? prefix, CancellationToken cancellationToken)
    {
        if (batch.Events.Count == 0)
        {
            throw Invalid(prefix, [new FieldError("events", "is empty; send at least one event.")]);
        }

        switch (await ingestion.IngestAsync(http.User, ProtoEvents.ToJson(batch), expectBatch: true, cancellationToken))
        {
            case IngestOutcome.Accepted accepted:
                return accepted.Count;
            case IngestOutcome.Invalid invalid:
                throw Invalid(prefix, invalid.Errors);
            case IngestOutcome.Limited limited:
                throw Retry(Code.ResourceExhausted, limited.RetryAfter, $"This tenant sent {limited.What}; nothing of this batch was stored.");
            case IngestOutcome.Unavailable { Failure: EventLogFullException }:
                throw Retry(Code.Unavailable, TimeSpan.FromSeconds(EventEndpoints.BufferFullRetryAfterSeconds), "Kafka is slow or unreachable and this gateway's buffer is full; nothing of this batch was stored. Retry later.");
            case IngestOutcome.Unavailable { Failure: StorageFullException }:
                throw Retry(Code.Unavailable, TimeSpan.FromSeconds(5), "The event log's disk is full; nothing of this batch was stored. Retry later.");
            default:
                throw Retry(Code.Unavailable, TimeSpan.FromSeconds(1), "The events could not be stored durably and were not acknowledged; retry the same batch shortly.");
        }
    }

    private static RpcException Invalid(string? prefix, IReadOnlyList<FieldError> errors)
    {
        var request = new BadRequest();
        request.FieldViolations.AddRange(errors.Select(e => new BadRequest.Types.FieldViolation { Field = prefix + e.Field, Description = e.Message }));
        var first = errors[0];
        return new Status
        {
            Code = (int)Code.InvalidArgument,
            Message = $"{prefix}{first.Field}: {first.Message}" + (errors.Count > 1 ? $" (and {errors.Count - 1} more)" : ""),
            Details = { Any.Pack(request) },
        }.ToRpcException();
    }

    private static RpcException Retry(Code code, TimeSpan delay, string message) => new Status
    {
        Code = (int)code,
        Message = message,
        Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(delay.TotalSeconds)))) }) },
    }.ToRpcException();
}
