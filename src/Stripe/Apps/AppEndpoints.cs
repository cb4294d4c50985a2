using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing.Payments;
using Tally.ServiceDefaults;

namespace Tally.Stripe.Apps;

/// <summary>
/// OpenMeter's app routes for the Stripe app: the marketplace, install with an API key, list, get,
/// replace (rename, rotate the key), uninstall, and the deprecated key update. Tenant-scoped: an app
/// id of another tenant is answered as not found.
/// </summary>
public static class AppEndpoints
{
    public static IEndpointRouteBuilder MapStripeApps(this IEndpointRouteBuilder routes)
    {
        var marketplace = routes.MapGroup("/api/v1/marketplace/listings").RequireAuthorization(TallyClaims.TenantPolicy);
        marketplace.MapGet("", (HttpContext context) =>
        {
            var (paging, badPage) = Paging.From(context.Request);
            return badPage ?? Results.Ok(paging.Cut(MarketplaceListings.All));
        });
        marketplace.MapGet("/{type}", (string type) =>
            MarketplaceListings.All.FirstOrDefault(listing => listing.Type == type) is { } listing ? Results.Ok(listing) : Problems.NotFound("marketplace listing", type));
        marketplace.MapPost("/stripe/install/apikey", InstallAsync);

        var apps = routes.MapGroup("/api/v1/apps").RequireAuthorization(TallyClaims.TenantPolicy);
        apps.MapGet("", ListAsync);
        apps.MapGet("/{id}", async (string id, HttpContext context, IPaymentAppStore store) =>
            await store.GetAsync(context.User.GetTenantId(), id, context.RequestAborted) is { } app ? Results.Ok(StripeAppResponse.From(app)) : Problems.NotFound("app", id));
        apps.MapPut("/{id}", ReplaceAsync);
        apps.MapPut("/{id}/stripe/api-key", UpdateKeyAsync);
        apps.MapDelete("/{id}", async (string id, HttpContext context, StripeApps installed) =>
            await installed.UninstallAsync(context.User.GetTenantId(), id, context.RequestAborted) ? Results.NoContent() : Problems.NotFound("app", id));
        return routes;
    }

    /// <summary>503 with Retry-After when Stripe could not be asked; the request changed nothing.</summary>
    internal static IResult Unavailable(HttpContext context, PaymentProcessorUnavailableException exception)
    {
        context.Response.Headers.RetryAfter = ((int)(exception.RetryAfter ?? TimeSpan.FromSeconds(5)).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return Results.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Stripe unavailable",
            detail: $"{exception.Message} Nothing was changed; retry later.",
            type: "https://tally.dev/problems/payment-processor-unavailable");
    }

    private static async Task<IResult> InstallAsync(HttpContext context, IPaymentAppStore store, StripeApps apps)
    {
        var (request, problem) = await JsonBody.ReadAsync<InstallWithApiKeyRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var tenantId = context.User.GetTenantId();
        if (await store.FindByTypeAsync(tenantId, PaymentApp.StripeType, context.RequestAborted) is { } existing)
        {
            return Problems.Conflict("type", $"a Stripe app is already installed ({existing.Id}); rotate its key with PUT /api/v1/apps/{existing.Id} or uninstall it first.");
        }

        try
        {
            var (app, error) = await apps.InstallAsync(tenantId, request!.ApiKey, request.Name, context.RequestAborted);
            return error is not null
                ? Problems.Validation([error])
                : Results.Ok(new InstallResponse(StripeAppResponse.From(app!), MarketplaceListings.DefaultCapabilities));
        }
        catch (PaymentProcessorUnavailableException unavailable)
        {
            return Unavailable(context, unavailable);
        }
    }

    private static async Task<IResult> ListAsync(HttpContext context, IPaymentAppStore store)
    {
        var (paging, badPage) = Paging.From(context.Request);
        if (badPage is not null)
        {
            return badPage;
        }

        var (items, total) = await store.ListAsync(context.User.GetTenantId(), paging.Page, paging.PageSize, context.RequestAborted);
        return Results.Ok(new Paginated<StripeAppResponse>(total, paging.Page, paging.PageSize, [.. items.Select(StripeAppResponse.From)]));
    }

    private static async Task<IResult> ReplaceAsync(string id, HttpContext context, IPaymentAppStore store, StripeApps apps)
    {
        var (request, problem) = await JsonBody.ReadAsync<AppReplaceRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        if (request!.Type != PaymentApp.StripeType)
        {
            return Problems.Validation("type", $"is '{request.Type}'; Tally's apps are of type 'stripe'.");
        }

        if (string.IsNullOrEmpty(request.Name))
        {
            return Problems.Validation("name", "is required: AppReplaceUpdate replaces the whole app.");
        }

        return await ChangeAsync(id, context, store, app => apps.ReplaceAsync(app, request.Name, request.Description, request.Metadata, request.SecretAPIKey, "secretAPIKey", context.RequestAborted), app => Results.Ok(StripeAppResponse.From(app)));
    }

    private static async Task<IResult> UpdateKeyAsync(string id, HttpContext context, IPaymentAppStore store, StripeApps apps)
    {
        var (request, problem) = await JsonBody.ReadAsync<ApiKeyUpdateRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrEmpty(request!.SecretAPIKey))
        {
            return Problems.Validation("secretAPIKey", "is required: the new Stripe secret key.");
        }

        return await ChangeAsync(id, context, store, app => apps.ReplaceAsync(app, app.Name, app.Description, app.Metadata?.ToDictionary(), request.SecretAPIKey, "secretAPIKey", context.RequestAborted), _ => Results.NoContent());
    }

    private static async Task<IResult> ChangeAsync(
        string id, HttpContext context, IPaymentAppStore store, Func<PaymentApp, Task<(PaymentApp? App, Billing.FieldError? Error)>> change, Func<PaymentApp, IResult> answer)
    {
        var app = await store.GetAsync(context.User.GetTenantId(), id, context.RequestAborted);
        if (app is null)
        {
            return Problems.NotFound("app", id);
        }

        try
        {
            var (changed, error) = await change(app);
            return error is not null ? Problems.Validation([error]) : answer(changed!);
        }
        catch (PaymentProcessorUnavailableException unavailable)
        {
            return Unavailable(context, unavailable);
        }
    }
}
