using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tally.LoadHarness;

/// <summary>The few control-plane calls a run needs: tenant, meters, meter totals.</summary>
public sealed class TallyAdminClient(Uri baseUrl, string adminToken) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Creates a tenant and returns its id and API key.</summary>
    public async Task<(string Id, string ApiKey)> CreateTenantAsync(string name, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, "/api/admin/tenants", adminToken, new { name }, HttpStatusCode.Created, cancellationToken);
        return (body.GetProperty("id").GetString()!, body.GetProperty("apiKey").GetString()!);
    }

    public Task CreateMeterAsync(string apiKey, string slug, string aggregation, string? valueProperty, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "/api/v1/meters", apiKey,
            new { slug, eventType = LoadData.EventType, aggregation, valueProperty }, HttpStatusCode.Created, cancellationToken);

    /// <summary>The meter's total over all of its data (no from/to, no window, no grouping).</summary>
    public async Task<decimal> TotalAsync(string apiKey, string slug, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Get, $"/api/v1/meters/{slug}/query", apiKey, null, HttpStatusCode.OK, cancellationToken);
        return body.GetProperty("data").EnumerateArray().Sum(row => row.GetProperty("value").GetDecimal());
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonElement> SendAsync(
        HttpMethod method, string path, string bearer, object? json, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}"));
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
