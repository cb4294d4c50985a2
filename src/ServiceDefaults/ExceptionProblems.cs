using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tally.Billing;

namespace Tally.ServiceDefaults;

/// <summary>
/// Turns an exception escaping any route into the problem it means, so routes need no try/catch:
/// a conflict is 409 naming the field, a full disk or an unreachable store is 503 with Retry-After,
/// anything else is a 500 that says the request did not complete and carries the trace id to quote.
/// </summary>
internal static class ExceptionProblems
{
    /// <summary>Seconds a client should wait before retrying after a 503.</summary>
    public const int RetryAfterSeconds = 5;

    public static int StatusCode(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        LedgerConflictException => StatusCodes.Status409Conflict,
        Billing.Usage.UsageOverflowException => StatusCodes.Status422UnprocessableEntity,
        StorageFullException or StoreUnavailableException => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>Whether the exception is the client's or the environment's doing rather than a defect of Tally's.</summary>
    public static bool IsExpected(Exception exception) => StatusCode(exception) != StatusCodes.Status500InternalServerError;

    public static void Describe(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        switch (context.Exception)
        {
            case LedgerConflictException conflict:
                problem.Status = StatusCodes.Status409Conflict;
                problem.Title = "Conflict";
                problem.Detail = $"{conflict.Field}: {conflict.Message}";
                problem.Type = "https://tally.dev/problems/conflict";
                problem.Extensions["errors"] = new[] { new FieldError(conflict.Field, conflict.Message) };
                break;
            case Billing.Usage.UsageOverflowException overflow:
                problem.Status = StatusCodes.Status422UnprocessableEntity;
                problem.Title = "Usage too large";
                problem.Detail = overflow.Message + " Narrow the query (a shorter window, a windowSize, groupBy or subject) so each row stays below that.";
                problem.Type = "https://tally.dev/problems/usage-overflow";
                problem.Extensions["errors"] = new[] { new FieldError("meter", overflow.Message) };
                break;
            case StorageFullException full:
                RetryLater(context.HttpContext);
                problem.Title = "Storage full";
                problem.Detail = $"The {full.Store}'s disk is full, so nothing of this request was stored; retry after {RetryAfterSeconds} s. Operators: free disk space; Tally resumes by itself.";
                problem.Type = "https://tally.dev/problems/storage-full";
                break;
            case StoreUnavailableException unavailable:
                RetryLater(context.HttpContext);
                problem.Title = "Service unavailable";
                problem.Detail = $"{unavailable.Store} does not answer, so this request did not complete; retry after {RetryAfterSeconds} s.";
                problem.Type = "https://tally.dev/problems/store-unavailable";
                break;
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                problem.Title = "Request too large";
                problem.Detail = $"The request body is larger than {Limits.RequestBodyBytes / (1024 * 1024)} MiB; nothing of it was stored. Send smaller batches.";
                problem.Type = "https://tally.dev/problems/too-large";
                break;
            case BadHttpRequestException:
            case null:
                break;
            default:
                problem.Title = "Internal error";
                problem.Detail = "Tally failed on this request and did not complete it; the server keeps running. Quote the traceId when you report it.";
                problem.Type = "https://tally.dev/problems/internal";
                break;
        }
    }

    private static void RetryLater(HttpContext context)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
    }
}
