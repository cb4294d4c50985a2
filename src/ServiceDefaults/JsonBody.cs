using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Tally.ServiceDefaults;

/// <summary>
/// Reads a JSON request body into a request DTO; malformed JSON or a wrongly typed field becomes a
/// problem that names the field (from the JSON path) instead of a bare 400.
/// </summary>
public static class JsonBody
{
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.UnsupportedMediaType(request.ContentType ?? "(none)", "application/json"));
        }

        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, options, request.HttpContext.RequestAborted);
            return value is null
                ? (null, Problems.Validation("body", "is empty; send a JSON object."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (null, Problems.Validation(field, "has the wrong type or is not valid JSON; check the request against the API reference."));
        }
    }
}
