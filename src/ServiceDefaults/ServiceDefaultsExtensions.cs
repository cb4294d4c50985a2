using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tally.Billing;
using Tally.ServiceDefaults.Tenants;

namespace Tally.ServiceDefaults;

/// <summary>
/// What every Tally HTTP process shares, registered and used in one place: problem+json for every
/// error, camelCase JSON, bearer authentication (tenant API keys and the admin token), health routes.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>The CORS policy of the portal's meter routes (<c>RequireCors</c> on them).</summary>
    public const string PortalCorsPolicy = "portal";

    /// <summary>Registers problem details, JSON options, the admin token (validated at start) and authentication.</summary>
    public static IHealthChecksBuilder AddTallyServiceDefaults(this IServiceCollection services, IConfiguration configuration, TallyPaths paths)
    {
        services.AddSingleton(paths);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<MeterChanges>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ExceptionProblems.Describe);
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            options.SerializerOptions.NumberHandling = JsonNumberHandling.AllowReadingFromString;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        services.AddOptions<AdminTokenOptions>()
            .Bind(configuration.GetSection(AdminTokenOptions.SectionName))
            .Configure(options => options.Token ??= Environment.GetEnvironmentVariable("TALLY_ADMIN_TOKEN"))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<AdminToken>();
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ApiKeyCache>();
        services.AddTallyTelemetry(configuration);
        services.AddAuthentication(TallyClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(TallyClaims.Scheme, null)
            .AddScheme<AuthenticationSchemeOptions, PortalTokenAuthenticationHandler>(TallyClaims.PortalScheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(TallyClaims.TenantPolicy, policy => policy.RequireClaim(TallyClaims.TenantId))
            .AddPolicy(TallyClaims.AdminPolicy, policy => policy.RequireRole(TallyClaims.AdminRole))
            // Only the portal scheme authenticates portal routes, so a tenant API key never reaches them.
            .AddPolicy(TallyClaims.PortalPolicy, policy => policy
                .AddAuthenticationSchemes(TallyClaims.PortalScheme)
                .RequireClaim(TallyClaims.PortalSubject));
        // OpenMeter lets any origin call the portal's meter routes from a browser (a SaaS product's own page).
        services.AddCors(options => options.AddPolicy(PortalCorsPolicy, policy => policy
            .AllowAnyOrigin()
            .WithMethods("GET", "OPTIONS")
            .WithHeaders("Accept", "Authorization", "Content-Type")
            .SetPreflightMaxAge(TimeSpan.FromSeconds(1728000))));
        return services.AddHealthChecks();
    }

    /// <summary>Error handling, authentication, <c>/healthz</c> (liveness), <c>/readyz</c> (every registered probe), <c>/metrics</c> (Prometheus).</summary>
    public static WebApplication UseTallyServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Conflicts, full disks and unreachable stores are answered as such; only defects are logged as errors.
            SuppressDiagnosticsCallback = context => ExceptionProblems.IsExpected(context.Exception),
            StatusCodeSelector = ExceptionProblems.StatusCode,
        });
        app.UseStatusCodePages();
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new() { ResponseWriter = ReadinessResponse.WriteAsync });
        app.MapTallyMetrics();
        return app;
    }

    /// <summary>The operator's routes: tenants and their API keys.</summary>
    public static WebApplication MapTallyAdmin(this WebApplication app)
    {
        app.MapTenants();
        return app;
    }
}
