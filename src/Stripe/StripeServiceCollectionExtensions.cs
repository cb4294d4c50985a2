using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.Invoices;

namespace Tally.Stripe;

/// <summary>Registers the invoice publisher: Stripe when <c>Stripe:ApiKey</c> is set, otherwise invoices stay in the ledger.</summary>
public static class StripeServiceCollectionExtensions
{
    public static IServiceCollection AddTallyStripe(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(StripeOptions.SectionName);
        services.AddOptions<StripeOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        if (string.IsNullOrEmpty(section[nameof(StripeOptions.ApiKey)]))
        {
            services.AddSingleton<IInvoicePublisher, LedgerOnlyPublisher>();
        }
        else
        {
            services.AddSingleton<IInvoicePublisher, StripeInvoicePublisher>();
        }

        return services;
    }
}
