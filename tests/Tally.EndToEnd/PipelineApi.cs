using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tally.EventLog.Embedded;

namespace Tally.EndToEnd;

/// <summary>A thin HTTP client for the routes the end-to-end scenarios call.</summary>
public sealed class PipelineApi(Uri ingestUrl, Uri apiUrl) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? bearer, object? json = null, bool ingest = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(ingest ? ingestUrl : apiUrl, path));
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        return await ReadAsync(await _http.SendAsync(request));
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> PostEventsAsync(string apiKey, string contentType, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ingestUrl, "/api/v1/events"))
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return await ReadAsync(await _http.SendAsync(request));
    }

    public async Task<string> CreateTenantAsync(string adminToken, string name)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/admin/tenants", adminToken, new { name });
        Assert.Equal(HttpStatusCode.Created, status);
        return body.GetProperty("apiKey").GetString()!;
    }

    public async Task<JsonElement> ExpectAsync(HttpStatusCode expected, HttpMethod method, string path, string? bearer, object? json = null)
    {
        var (status, body) = await SendAsync(method, path, bearer, json);
        Assert.True(status == expected, $"{method} {path}: expected {(int)expected}, got {(int)status}: {body}");
        return body;
    }

    /// <summary>A meter's total over everything stored: the sum of its query's rows.</summary>
    public async Task<decimal> MeterTotalAsync(string apiKey, string meter)
    {
        var body = await ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/meters/{meter}/query", apiKey);
        return body.GetProperty("data").EnumerateArray().Sum(value => value.GetProperty("value").GetDecimal());
    }

    public void Dispose() => _http.Dispose();

    private static async Task<(HttpStatusCode, JsonElement)> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            var isJson = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true;
            var body = isJson && text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : JsonSerializer.SerializeToElement(text);
            return (response.StatusCode, body);
        }
    }

    public static string Event(string id, string subject, DateTimeOffset time, int tokens, string type = "prompt", string model = "small") =>
        $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"e2e","type":"{{{type}}}","subject":"{{{subject}}}","time":"{{{time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}}","data":{"tokens":{{{tokens}}},"model":"{{{model}}}"}}""";
}
