using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tally.ServiceDefaults;

/// <summary>
/// <c>/readyz</c>'s body: <c>{status, checks: {name: {status, description, data}}}</c>, so an operator (or a probe)
/// sees which dependency is not ready and why, and the ingest buffer's backlog, without another route.
/// </summary>
internal static class ReadinessResponse
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString());
                if (entry.Description is { } description)
                {
                    json.WriteString("description", description);
                }

                if (entry.Exception is { } exception)
                {
                    json.WriteString("error", exception.Message);
                }

                if (entry.Data.Count > 0)
                {
                    json.WritePropertyName("data");
                    JsonSerializer.Serialize(json, entry.Data, JsonSerializerOptions.Web);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), context.RequestAborted);
    }
}
