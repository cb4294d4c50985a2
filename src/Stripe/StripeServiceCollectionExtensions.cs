using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tally.Billing.Payments;
using Tally.Stripe.Apps;
using Tally.Stripe.Customers;

namespace Tally.Stripe;

/// <summary>Registers the Stripe adapter: each tenant's Stripe app, customer links and the exactly-once <see cref="IPaymentProcessor"/>.</summary>
public static class StripeServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="StripeOptions"/> at start and registers <see cref="IPaymentProcessor"/>.
    /// Needs the ledger's <see cref="IPaymentAppStore"/> and <see cref="IPaymentObjectStore"/>.
    /// </summary>
    public static IServiceCollection AddTallyStripe(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        services.AddOptions<StripeOptions>()
            .Bind(configuration.GetSection(StripeOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new StripeDataDirectory(Path.GetFullPath(dataDirectory)));
        services.AddSingleton<ApiKeyCipher>();
        services.AddSingleton<StripeClients>();
        services.AddSingleton<StripeAccounts>();
        services.AddSingleton<StripeApps>();
        services.AddSingleton<IPaymentProcessor, StripePaymentProcessor>();
        return services;
    }

    /// <summary>Maps OpenMeter's app and marketplace routes and the customer Stripe routes.</summary>
    public static IEndpointRouteBuilder MapTallyStripe(this IEndpointRouteBuilder routes) => routes.MapStripeApps().MapCustomerStripe();
}
