using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Tally.Billing.Customers;
using Tally.Billing.EventLog;
using Tally.Billing.Pricing;
using Tally.Billing.Rating;
using Tally.Billing.Usage;
using Tally.Rating.Billing;
using Tally.Rating.Catalog;
using Tally.Rating.Customers;
using Tally.Rating.Entitlements;
using Tally.Rating.Live;
using Tally.Rating.Notifications;
using Tally.Rating.Subscriptions;

namespace Tally.Rating;

/// <summary>
/// The rating stage: OpenMeter's catalog (customers, subjects, features, plans, subscriptions,
/// entitlements, grants), notifications, and each customer's live rating in an Orleans grain fed by
/// the usage delta topic.
/// </summary>
public static class RatingStage
{
    /// <summary>
    /// Registers rating (options validated at start). The host adds the Orleans silo
    /// (<see cref="RatingSilo.UseTallyRating"/>) and the usage delta log the consumer reads.
    /// </summary>
    public static IServiceCollection AddTallyRating(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RatingOptions>()
            .Bind(configuration.GetSection(RatingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddKeyedSingleton(RatingClock.Key, (provider, _) => provider.GetRequiredService<TimeProvider>());
        services.AddSingleton<CustomerCatalogLoader>();
        services.AddSingleton<CustomerLookupCache>();
        services.AddSingleton<PublishedEntitlementValues>();
        services.AddSingleton<ILiveBills, GrainLiveBills>();
        services.AddSingleton<Tally.Billing.Invoices.IGatheringInvoices, GatheringInvoices>();
        services.AddSingleton<EntitlementHistory>();
        services.AddSingleton<CustomerEntitlementEndpoints.Deps>();
        services.AddSingleton<NotificationRuleEndpoints.Deps>();
        services.AddSingleton<NotificationRulesCache>();
        services.AddSingleton<DeliverySignal>();
        services.AddSingleton<ThresholdNotifier>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName);
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton(provider => new UsageDeltaConsumer(
            provider.GetRequiredKeyedService<IEventLog>(UsageDeltaTopic.Name),
            provider.GetRequiredService<ICustomerStore>(),
            provider.GetRequiredService<IGrainFactory>(),
            provider.GetRequiredKeyedService<TimeProvider>(RatingClock.Key),
            provider.GetRequiredService<IOptions<RatingOptions>>(),
            provider.GetRequiredService<ILogger<UsageDeltaConsumer>>()));
        services.AddHostedService(provider => provider.GetRequiredService<UsageDeltaConsumer>());
        // Billing's records cross grain calls as JSON (the domain references no Orleans attribute).
        services.AddSerializer(serializer => serializer.AddJsonSerializer(
            isSupported: type => type.Namespace?.StartsWith("Tally.Billing", StringComparison.Ordinal) == true));
        services.AddSingleton<Tally.Billing.Closing.IPeriodRating, ClosingRating>();
        return services;
    }

    /// <summary>Maps the catalog, entitlement, billing and notification routes.</summary>
    public static IEndpointRouteBuilder MapTallyRating(this IEndpointRouteBuilder routes) => routes
        .MapCustomers()
        .MapSubjects()
        .MapFeatures()
        .MapPlans()
        .MapSubscriptions()
        .MapCustomerEntitlements()
        .MapEntitlementLists()
        .MapGatheringInvoices()
        .MapBillingProfiles()
        .MapNotifications();
}
