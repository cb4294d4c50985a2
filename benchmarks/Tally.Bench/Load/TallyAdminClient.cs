using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Tally.Bench.Generation;

namespace Tally.Bench.Load;

/// <summary>The control-plane calls a run needs: tenants and their limits, meters, meter query results.</summary>
public sealed class TallyAdminClient(Uri baseUrl, string adminToken) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Creates a tenant with ingest limits far above the run's rate, and returns its id and API key.</summary>
    public async Task<(string Id, string ApiKey)> CreateTenantAsync(string name, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, "/api/admin/tenants", adminToken, new { name }, HttpStatusCode.Created, cancellationToken);
        var id = body.GetProperty("id").GetString()!;
        await SendAsync(HttpMethod.Put, $"/api/admin/tenants/{id}", adminToken,
            new { retentionDays = (int?)null, requestsPerSecond = 1_000_000, eventsPerSecond = 100_000_000 }, HttpStatusCode.OK, cancellationToken);
        return (id, body.GetProperty("apiKey").GetString()!);
    }

    public Task CreateMeterAsync(string apiKey, BenchMeter meter, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "/api/v1/meters", apiKey,
            new { slug = meter.Slug, eventType = meter.EventType, aggregation = meter.Aggregation, valueProperty = meter.ValueProperty, groupBy = meter.GroupBy },
            HttpStatusCode.Created, cancellationToken);

    public Task CreateCountMeterAsync(string apiKey, string slug, string eventType, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "/api/v1/meters", apiKey, new { slug, eventType, aggregation = "COUNT" }, HttpStatusCode.Created, cancellationToken);

    /// <summary>The meter's values over all of its data (no from/to, no window, no grouping): one row, or none without events.</summary>
    public async Task<IReadOnlyList<decimal>> ValuesAsync(string apiKey, string slug, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Get, $"/api/v1/meters/{slug}/query", apiKey, null, HttpStatusCode.OK, cancellationToken);
        return [.. body.GetProperty("data").EnumerateArray().Select(row => row.GetProperty("value").GetDecimal())];
    }

    /// <summary>The meter's total over all of its data.</summary>
    public async Task<decimal> TotalAsync(string apiKey, string slug, CancellationToken cancellationToken) =>
        (await ValuesAsync(apiKey, slug, cancellationToken)).Sum();

    /// <summary>The Prometheus text of <c>/metrics</c>, or null when the deployment does not serve it.</summary>
    public async Task<string?> MetricsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync("/metrics", cancellationToken);
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(cancellationToken) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
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

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
