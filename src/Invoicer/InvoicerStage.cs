using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tally.Invoicer.Invoices;

namespace Tally.Invoicer;

/// <summary>The invoicer stage: period close and invoices.</summary>
public static class InvoicerStage
{
    /// <summary>Registers period close (it prices with an <c>ICustomerCharges</c> and pushes with an <c>IPaymentProcessor</c>).</summary>
    public static IServiceCollection AddTallyInvoicer(this IServiceCollection services)
    {
        services.AddSingleton<PeriodClose>();
        return services;
    }

    /// <summary>Maps invoices and period closes.</summary>
    public static IEndpointRouteBuilder MapTallyInvoicer(this IEndpointRouteBuilder routes) => routes.MapInvoicing();
}
