using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing;
using Tally.ServiceDefaults.Tenants;

namespace Tally.ServiceDefaults;

/// <summary>
/// What every Tally HTTP process shares, registered and used in one place: problem+json for every
/// error, camelCase JSON, bearer authentication (tenant API keys and the admin token), health routes.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Registers problem details, JSON options, the admin token (validated at start) and authentication.</summary>
    public static IHealthChecksBuilder AddTallyServiceDefaults(this IServiceCollection services, IConfiguration configuration, TallyPaths paths)
    {
        services.AddSingleton(paths);
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
        services.AddAuthentication(TallyClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(TallyClaims.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(TallyClaims.TenantPolicy, policy => policy.RequireClaim(TallyClaims.TenantId))
            .AddPolicy(TallyClaims.AdminPolicy, policy => policy.RequireRole(TallyClaims.AdminRole));
        return services.AddHealthChecks();
    }

    /// <summary>Error handling, authentication, <c>/healthz</c> (liveness), <c>/readyz</c> (every registered probe).</summary>
    public static WebApplication UseTallyServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Conflicts, full disks and unreachable stores are answered as such; only defects are logged as errors.
            SuppressDiagnosticsCallback = context => ExceptionProblems.IsExpected(context.Exception),
            StatusCodeSelector = ExceptionProblems.StatusCode,
        });
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz");
        return app;
    }

    /// <summary>The operator's routes: tenants and their API keys.</summary>
    public static WebApplication MapTallyAdmin(this WebApplication app)
    {
        app.MapTenants();
        return app;
    }
}
