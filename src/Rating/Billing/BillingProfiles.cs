using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.ServiceDefaults;

namespace Tally.Rating.Billing;

/// <summary>The one billing profile every tenant has (OpenMeter's default profile, with its default workflow), read only.</summary>
public static class BillingProfiles
{
    public static object DefaultWorkflow { get; } = new
    {
        collection = new { alignment = new { type = "subscription" }, interval = "PT1H" },
        invoicing = new { autoAdvance = true, draftPeriod = "P0D", dueAfter = "P30D", progressiveBilling = false, subscriptionEndProrationMode = "bill_actual_period" },
        payment = new { collectionMethod = "charge_automatically" },
        tax = new { enabled = false, enforced = false },
    };

    public static IEndpointRouteBuilder MapBillingProfiles(this IEndpointRouteBuilder routes)
    {
        var profiles = routes.MapGroup("/api/v1/billing/profiles").RequireAuthorization(TallyClaims.TenantPolicy);
        profiles.MapGet("", () => RatingJson.Ok(new Paginated<object>(1, 1, 100, [Profile()])));
        profiles.MapGet("/{id}", (string id) => id == GatheringInvoice.ProfileId ? RatingJson.Ok(Profile()) : Problems.NotFound("billing profile", id));
        return routes;
    }

    private static object Profile() => new
    {
        id = GatheringInvoice.ProfileId,
        name = "Default",
        @default = true,
        supplier = new { name = "Tally" },
        workflow = DefaultWorkflow,
        apps = new { tax = new { id = "none" }, invoicing = new { id = "tally" }, payment = new { id = "stripe" } },
        createdAt = DateTime.UnixEpoch,
        updatedAt = DateTime.UnixEpoch,
    };
}
