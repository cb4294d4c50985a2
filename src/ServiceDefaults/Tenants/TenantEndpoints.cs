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
        admin.MapPut("/tenants/{tenantId}", async (string tenantId, HttpContext context, ITenantStore tenants) =>
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

            if (!await tenants.SetRetentionAsync(tenantId, request.RetentionDays, context.RequestAborted))
            {
                return Problems.NotFound("tenant", tenantId);
            }

            return Results.Ok(TenantResponse.From((await tenants.GetAsync(tenantId, context.RequestAborted))!));
        });
        return routes;
    }
}

public sealed class CreateTenantRequest
{
    public string? Name { get; set; }
}

/// <summary>The new tenant and its API key, shown this once; Tally keeps only a hash.</summary>
public sealed record CreatedTenantResponse(string Id, string Name, string ApiKey, DateTime CreatedAt);

/// <summary>What an operator may change of a tenant: how long its events are kept (null: forever).</summary>
public sealed class UpdateTenantRequest
{
    public int? RetentionDays { get; set; }
}

public sealed record TenantResponse(string Id, string Name, DateTime CreatedAt, int? RetentionDays)
{
    public static TenantResponse From(Tenant tenant) => new(tenant.Id, tenant.Name, tenant.CreatedAt.UtcDateTime, tenant.RetentionDays);
}
