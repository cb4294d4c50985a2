using Microsoft.AspNetCore.Http;
using Tally.Billing;

namespace Tally.ServiceDefaults;

/// <summary>
/// RFC 7807 problem+json answers. Every error names what was wrong and what to do about it; validation
/// errors also list each field in an <c>errors</c> extension.
/// </summary>
public static class Problems
{
    public static IResult Validation(IReadOnlyList<FieldError> errors)
    {
        var first = errors[0];
        var detail = errors.Count == 1
            ? $"{first.Field}: {first.Message}"
            : $"{first.Field}: {first.Message} (and {errors.Count - 1} more; see errors)";
        return Results.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "Invalid request",
            detail: detail,
            type: "https://tally.dev/problems/validation",
            extensions: new Dictionary<string, object?> { ["errors"] = errors });
    }

    public static IResult Validation(string field, string message) => Validation([new FieldError(field, message)]);

    public static IResult NotFound(string what, string id) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Not found",
        detail: $"No {what} '{id}' is visible to this credential; check the id or key.",
        type: "https://tally.dev/problems/not-found");

    /// <summary>403: the credential is good but may not read what <paramref name="field"/> names.</summary>
    public static IResult Forbidden(string field, string message) => Results.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Forbidden",
        detail: $"{field}: {message}",
        type: "https://tally.dev/problems/forbidden",
        extensions: new Dictionary<string, object?> { ["errors"] = new[] { new FieldError(field, message) } });

    /// <summary>409: the request is valid but contradicts what is stored (named by <paramref name="field"/>).</summary>
    public static IResult Conflict(string field, string message) => Results.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Conflict",
        detail: $"{field}: {message}",
        type: "https://tally.dev/problems/conflict",
        extensions: new Dictionary<string, object?> { ["errors"] = new[] { new FieldError(field, message) } });

    /// <summary>429: a rate limit; the caller sets Retry-After.</summary>
    public static IResult TooManyRequests(string detail) => Results.Problem(
        statusCode: StatusCodes.Status429TooManyRequests,
        title: "Too many requests",
        detail: detail,
        type: "https://tally.dev/problems/rate-limited");

    public static IResult UnsupportedMediaType(string contentType, string supported) => Results.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type",
        detail: $"Content-Type '{contentType}' is not accepted here; send {supported}.",
        type: "https://tally.dev/problems/unsupported-media-type");
}
