using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.Pricing;
using Tally.Rating.Catalog;
using Tally.Rating.Customers;

namespace Tally.Rating;

/// <summary>The rating stage: the catalog, customers and subscriptions, and each customer's live bill (an Orleans grain).</summary>
public static class RatingStage
{
    /// <summary>Registers the pricing of a customer's period; the host adds the Orleans silo that hosts the grains.</summary>
    public static IServiceCollection AddTallyRating(this IServiceCollection services)
    {
        services.AddSingleton<ICustomerCharges, ChargeCalculator>();
        services.AddSingleton<Billing.Closing.IPeriodRating, PeriodRating>();
        return services;
    }

    /// <summary>Maps plans, customers, subscriptions and live charges.</summary>
    public static IEndpointRouteBuilder MapTallyRating(this IEndpointRouteBuilder routes) => routes.MapPlans().MapCustomers();
}
