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
/// </summary>
internal static class Telemetry
{
    public const string PrometheusPath = "/metrics";

    public static void AddTallyTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = configuration["OpenTelemetry:OtlpEndpoint"] ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("tally"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("Tally.*").AddAspNetCoreInstrumentation().AddRuntimeInstrumentation().AddPrometheusExporter();
                if (!string.IsNullOrWhiteSpace(otlp))
                {
                    metrics.AddOtlpExporter(options => options.Endpoint = new Uri(otlp));
                }
            });
    }

    /// <summary>Prometheus's scrape endpoint; like <c>/healthz</c>, it needs no credential (keep the port internal).</summary>
    public static void MapTallyMetrics(this WebApplication app) => app.MapPrometheusScrapingEndpoint(PrometheusPath);
}
