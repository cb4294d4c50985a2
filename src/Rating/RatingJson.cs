using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Tally.Billing;
using Tally.ServiceDefaults;

namespace Tally.Rating;

/// <summary>
/// JSON in and out of the catalog routes: responses in OpenMeter's shape (camelCase, optional fields
/// left out rather than null), request bodies read as JSON documents so every bad field is named.
/// </summary>
internal static class RatingJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static IResult Ok(object value) => Results.Json(value, Options);

    /// <summary>200 with a JSON body already serialized (the same content type as <see cref="Ok"/>, with its length).</summary>
    public static IResult OkBytes(byte[] body) => new JsonBytes(body);

    public static IResult Created(string location, object value) => Results.Json(value, Options, statusCode: StatusCodes.Status201Created);

    /// <summary>Reads a JSON body; a wrong content type, no body or malformed JSON is a problem naming <c>body</c>.</summary>
    public static async Task<(JsonDocument? Body, IResult? Problem)> ReadAsync(HttpRequest request, bool optional = false)
    {
        if (optional && (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding"))))
        {
            return (null, null);
        }

        if (!request.HasJsonContentType())
        {
            return (null, Problems.UnsupportedMediaType(request.ContentType ?? "(none)", "application/json"));
        }

        try
        {
            var document = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
            return (document, null);
        }
        catch (JsonException)
        {
            return optional ? (null, null) : (null, Problems.Validation("body", "is not valid JSON; send a JSON object."));
        }
    }

    /// <summary>A 409 in OpenMeter's <c>SubscriptionConflictErrorResponse</c> shape (also Tally's errors list).</summary>
    public static IResult Conflict(string field, string message) => Results.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Conflict",
        detail: $"{field}: {message}",
        type: "https://tally.dev/problems/conflict",
        extensions: new Dictionary<string, object?>
        {
            ["errors"] = new[] { new FieldError(field, message) },
            ["extensions"] = new Dictionary<string, object?>
            {
                ["validationErrors"] = new[] { new { field, code = "conflict", message } },
            },
        });

    public static DateTime Utc(DateTimeOffset instant) => instant.UtcDateTime;

    private sealed class JsonBytes(byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = body.Length;
            return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
        }
    }

    public static DateTime? Utc(DateTimeOffset? instant) => instant?.UtcDateTime;
}
