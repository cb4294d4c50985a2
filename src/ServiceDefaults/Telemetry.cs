using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Tally.ServiceDefaults;

/// <summary>
/// Metrics through OpenTelemetry: every <c>Tally.*</c> meter (aggregator, close runs, ...), ASP.NET Core
/// and the .NET runtime; scraped by Prometheus at <c>/metrics</c>, and pushed over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>OpenTelemetry:OtlpEndpoint</c>) is set.
/// Of ASP.NET Core's meters, those that record per request only what an operator reads: request duration
/// and active requests (hosting), connections (Kestrel), unhandled exceptions and rate-limited requests.
/// Routing's match attempts, authentication's and authorization's per-request instruments and the memory
/// pool's are left off: measured on the entitlement value route, ASP.NET Core's per-request instruments
/// together cost about 5% of the process's CPU, and these were most of them in number.
/// </summary>
internal static class Telemetry
{
    public const string PrometheusPath = "/metrics";

    private static readonly string[] AspNetCoreMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
    ];

    public static void AddTallyTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = configuration["OpenTelemetry:OtlpEndpoint"] ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("tally"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("Tally.*")
                    .AddMeter(AspNetCoreMeters)
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                if (!string.IsNullOrWhiteSpace(otlp))
                {
                    metrics.AddOtlpExporter(options => options.Endpoint = new Uri(otlp));
                }
            });
    }

    /// <summary>Prometheus's scrape endpoint; like <c>/healthz</c>, it needs no credential (keep the port internal).</summary>
    public static void MapTallyMetrics(this WebApplication app) => app.MapPrometheusScrapingEndpoint(PrometheusPath);
}
