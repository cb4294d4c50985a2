using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing;
using Tally.Billing.Tenants;

namespace Tally.ServiceDefaults.Tenants;

/// <summary>Operator routes behind the admin token: tenants and their API keys.</summary>
public static class TenantEndpoints
{
    public static IEndpointRouteBuilder MapTenants(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/admin").RequireAuthorization(TallyClaims.AdminPolicy);
        admin.MapPost("/tenants", async (HttpContext context, ITenantStore tenants) =>
        {
            var (request, problem) = await JsonBody.ReadAsync<CreateTenantRequest>(context.Request);
            if (problem is not null)
            {
                return problem;
            }

            if (string.IsNullOrWhiteSpace(request!.Name) || Limits.IdentifierProblem(request.Name, Limits.Name) is not null)
            {
                return Problems.Validation("name", $"is required: the tenant's display name, at most {Limits.Name} printable characters.");
            }

            var (tenant, apiKey) = await tenants.CreateAsync(request.Name.Trim(), context.RequestAborted);
            return Results.Created($"/api/admin/tenants/{tenant.Id}", new CreatedTenantResponse(tenant.Id, tenant.Name, apiKey, tenant.CreatedAt.UtcDateTime));
        });
        admin.MapGet("/tenants", async (ITenantStore tenants, CancellationToken cancellationToken) =>
            Results.Ok((await tenants.ListAsync(cancellationToken)).Select(TenantResponse.From)));
        admin.MapPut("/tenants/{tenantId}", async (string tenantId, HttpContext context, ITenantStore tenants, ApiKeyCache apiKeys) =>
        {
            var (request, problem) = await JsonBody.ReadAsync<UpdateTenantRequest>(context.Request);
            if (problem is not null)
            {
                return problem;
            }

            if (request!.RetentionDays is < Tenant.MinimumRetentionDays or > 36_500)
            {
                return Problems.Validation("retentionDays", $"is {request.RetentionDays}; keep events {Tenant.MinimumRetentionDays} to 36500 days, or send null to keep them forever.");
            }

            var limits = new List<FieldError>();
            foreach (var (name, value) in new[] { ("requestsPerSecond", request.RequestsPerSecond), ("eventsPerSecond", request.EventsPerSecond) })
            {
                if (value is < 1 or > 100_000_000)
                {
                    limits.Add(new FieldError(name, $"is {value}; send 1 to 100000000, or null for the configured default."));
                }
            }

            if (limits.Count > 0)
            {
                return Problems.Validation(limits);
            }

            if (!await tenants.SetRetentionAsync(tenantId, request.RetentionDays, context.RequestAborted)
                || !await tenants.SetRateLimitsAsync(tenantId, request.RequestsPerSecond, request.EventsPerSecond, context.RequestAborted))
            {
                return Problems.NotFound("tenant", tenantId);
            }

            // Limits travel with the verified key: forget cached verdicts so they apply now.
            apiKeys.Clear();

            return Results.Ok(TenantResponse.From((await tenants.GetAsync(tenantId, context.RequestAborted))!));
        });
        admin.MapPost("/tenants/{tenantId}/api-keys", async (string tenantId, ITenantStore tenants, CancellationToken cancellationToken) =>
            await tenants.CreateApiKeyAsync(tenantId, cancellationToken) is { } apiKey
                ? Results.Created($"/api/admin/tenants/{tenantId}/api-keys/{apiKey[..8]}", new CreatedApiKeyResponse(apiKey, apiKey[..8]))
                : Problems.NotFound("tenant", tenantId));
        admin.MapDelete("/tenants/{tenantId}/api-keys/{prefix}", async (string tenantId, string prefix, ITenantStore tenants, ApiKeyCache apiKeys, CancellationToken cancellationToken) =>
        {
            if (await tenants.RevokeApiKeysAsync(tenantId, prefix, cancellationToken) == 0)
            {
                return Problems.NotFound("API key of that tenant starting with", prefix);
            }

            apiKeys.Clear();
            return Results.NoContent();
        });
        return routes;
    }
}

/// <summary>A new API key of an existing tenant, shown this once, and the prefix that names it for revocation.</summary>
public sealed record CreatedApiKeyResponse(string ApiKey, string Prefix);

public sealed class CreateTenantRequest
{
    public string? Name { get; set; }
}

/// <summary>The new tenant and its API key, shown this once; Tally keeps only a hash.</summary>
public sealed record CreatedTenantResponse(string Id, string Name, string ApiKey, DateTime CreatedAt);

/// <summary>
/// What an operator may change of a tenant (PUT: every field, null or absent meaning the default): how long
/// its events are kept (null: forever) and its own ingest rate limits (null: the configured defaults).
/// </summary>
public sealed class UpdateTenantRequest
{
    public int? RetentionDays { get; set; }

    public int? RequestsPerSecond { get; set; }

    public int? EventsPerSecond { get; set; }
}

public sealed record TenantResponse(string Id, string Name, DateTime CreatedAt, int? RetentionDays, int? RequestsPerSecond, int? EventsPerSecond)
{
    public static TenantResponse From(Tenant tenant) =>
        new(tenant.Id, tenant.Name, tenant.CreatedAt.UtcDateTime, tenant.RetentionDays, tenant.RequestsPerSecond, tenant.EventsPerSecond);
}
