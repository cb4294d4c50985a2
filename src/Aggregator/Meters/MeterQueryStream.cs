using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing;
using Tally.Billing.Usage;

namespace Tally.Aggregator.Meters;

/// <summary>
/// A meter query kept live as server-sent events (<c>text/event-stream</c>): the query runs again every
/// <see cref="MeterStreamOptions.IntervalMilliseconds"/>, and an <c>event: result</c> carrying the
/// <c>MeterQueryResult</c> goes out first and then whenever the answer changed. A dashboard thus sees an
/// event within one interval (plus the aggregator's batching) of its acknowledgement, without polling
/// from the browser. Failures of the store are reported as <c>event: problem</c> and retried; a
/// recheck that refuses (an invalidated portal token) ends the stream.
/// </summary>
public sealed class MeterQueryStream(IOptions<MeterStreamOptions> options, IOptions<JsonOptions> json, TimeProvider clock, ILogger<MeterQueryStream> logger)
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private int _open;

    internal async Task<IResult> RunAsync(
        HttpContext context,
        MeterQueryRequest request,
        MeterQuery query,
        IMeterQueryReader reader,
        Func<Task<string?>>? recheck)
    {
        if (Interlocked.Increment(ref _open) > options.Value.MaxStreams)
        {
            Interlocked.Decrement(ref _open);
            context.Response.Headers.RetryAfter = "5";
            return Results.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Too many live streams",
                detail: $"This process already serves {options.Value.MaxStreams} live streams (MeterStream:MaxStreams); retry shortly or query without streaming.",
                type: "https://tally.dev/problems/too-many-streams");
        }

        try
        {
            await StreamAsync(context, request, query, reader, recheck);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The page went away: that is how every stream ends.
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }

        return Results.Empty;
    }

    private async Task StreamAsync(HttpContext context, MeterQueryRequest request, MeterQuery query, IMeterQueryReader reader, Func<Task<string?>>? recheck)
    {
        var response = context.Response;
        var cancellation = context.RequestAborted;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellation);
        await WriteAsync(response, "retry: 2000\n\n", cancellation);

        string? last = null;
        var sequence = 0L;
        var lastWrite = clock.GetTimestamp();
        while (true)
        {
            if (recheck is not null && await recheck() is { } refusal)
            {
                await WriteAsync(response, Event("problem", ++sequence, Problem(401, "Unauthorized", refusal, "unauthorized")), cancellation);
                return;
            }

            string? message = null;
            try
            {
                var rows = await reader.QueryAsync(query, cancellation);
                var result = JsonSerializer.Serialize(MeterEndpoints.Response(request, query, rows), json.Value.SerializerOptions);
                if (result != last)
                {
                    last = result;
                    message = Event("result", ++sequence, result);
                }
            }
            catch (StoreUnavailableException unavailable)
            {
                AggregatorLog.StreamQueryFailed(logger, unavailable, query.Meter.Slug);
                message = Event("problem", ++sequence, Problem(503, "Store unavailable", unavailable.Message, "store-unavailable"));
                last = null;
            }
            catch (UsageOverflowException overflow)
            {
                await WriteAsync(response, Event("problem", ++sequence, Problem(422, "Usage overflow", overflow.Message, "usage-overflow")), cancellation);
                return;
            }

            if (message is not null)
            {
                await WriteAsync(response, message, cancellation);
                lastWrite = clock.GetTimestamp();
            }
            else if (clock.GetElapsedTime(lastWrite) >= KeepAlive)
            {
                // A comment line keeps proxies from closing an idle connection.
                await WriteAsync(response, ": keep-alive\n\n", cancellation);
                lastWrite = clock.GetTimestamp();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(options.Value.IntervalMilliseconds), clock, cancellation);
        }
    }

    private static string Event(string name, long id, string data) => $"event: {name}\nid: {id}\ndata: {data}\n\n";

    private string Problem(int status, string title, string detail, string type) =>
        JsonSerializer.Serialize(new { type = $"https://tally.dev/problems/{type}", title, status, detail }, json.Value.SerializerOptions);

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
