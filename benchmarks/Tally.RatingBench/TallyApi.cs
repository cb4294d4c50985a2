using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Tally.RatingBench;

/// <summary>The control-plane calls the bench makes over Tally's HTTP API, each checked for its status.</summary>
public sealed class TallyApi(Uri baseUrl) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = baseUrl,
        Timeout = TimeSpan.FromMinutes(2),
    };

    public Uri BaseUrl => baseUrl;

    /// <summary>Creates a tenant with the admin token; returns its id and API key.</summary>
    public async Task<(string Id, string ApiKey)> CreateTenantAsync(string adminToken, string name, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, "/api/admin/tenants", adminToken, JsonSerializer.Serialize(new { name }), HttpStatusCode.Created, cancellationToken);
        return (body.GetProperty("id").GetString()!, body.GetProperty("apiKey").GetString()!);
    }

    /// <summary>The SUM meter <c>tokens</c> over <c>prompt</c> events and the feature <c>tokens</c> on it.</summary>
    public async Task CreateTokensFeatureAsync(string apiKey, CancellationToken cancellationToken)
    {
        await SendAsync(HttpMethod.Post, "/api/v1/meters", apiKey, """{"slug":"tokens","eventType":"prompt","aggregation":"SUM","valueProperty":"$.tokens"}""", HttpStatusCode.Created, cancellationToken);
        await SendAsync(HttpMethod.Post, "/api/v1/features", apiKey, """{"key":"tokens","name":"Tokens","meterSlug":"tokens"}""", HttpStatusCode.Created, cancellationToken);
    }

    /// <summary>Creates and publishes a plan of <paramref name="kind"/>.</summary>
    public async Task PublishPlanAsync(string apiKey, PlanKind kind, CancellationToken cancellationToken)
    {
        var key = BenchPlans.Key(kind);
        var plan = await SendAsync(HttpMethod.Post, "/api/v1/plans", apiKey,
            $$"""{"key":"{{key}}","name":"{{key}}","currency":"USD","billingCadence":"P1M","phases":{{BenchPlans.Phases(kind)}}}""", HttpStatusCode.Created, cancellationToken);
        await SendAsync(HttpMethod.Post, $"/api/v1/plans/{plan.GetProperty("id").GetString()}/publish", apiKey, null, HttpStatusCode.OK, cancellationToken);
    }

    /// <summary>Sends one request and returns its JSON body; any other status than <paramref name="expected"/> throws with the answer.</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, string bearer, string? json, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}"));
        }

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Posts one <c>application/cloudevents-batch+json</c> body; true on 204.</summary>
    public async Task<(bool Ok, string? Failure)> PostEventsAsync(string apiKey, byte[] batch, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new ByteArrayContent(batch) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents-batch+json");
        using var response = await _http.SendAsync(request, cancellationToken);
        return response.StatusCode == HttpStatusCode.NoContent
            ? (true, null)
            : (false, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    public void Dispose() => _http.Dispose();
}
