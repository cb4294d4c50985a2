using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.Closing;
using Tally.Invoicer.Closing;
using Tally.Invoicer.Invoices;

namespace Tally.Invoicer;

/// <summary>The invoicer stage: the period close workflow, invoices and their lineage.</summary>
public static class InvoicerStage
{
    /// <summary>Registers close runs and their routes' services (options validated at start).</summary>
    public static IServiceCollection AddTallyInvoicer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CloseOptions>()
            .Bind(configuration.GetSection(CloseOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<CloseMetrics>();
        services.AddSingleton<CloseRuns>();
        return services;
    }

    /// <summary>
    /// Runs close runs in this process: the worker and the scheduler. Needs the aggregator's watermark,
    /// so only processes that see the event log run them.
    /// </summary>
    public static IServiceCollection AddTallyCloseWorkers(this IServiceCollection services)
    {
        services.AddSingleton<CloseWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<CloseWorker>());
        services.AddSingleton<CloseScheduler>();
        services.AddHostedService(provider => provider.GetRequiredService<CloseScheduler>());
        services.AddSingleton<IBillingEventSink, BillingEventNotifications>();
        services.AddSingleton<BillingEventDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<BillingEventDispatcher>());
        return services;
    }

    /// <summary>Maps invoices, close runs and invoice explanations.</summary>
    public static IEndpointRouteBuilder MapTallyInvoicer(this IEndpointRouteBuilder routes) =>
        routes.MapBillingInvoices().MapCloseRuns().MapInvoiceExplanation().MapBillingEvents();
}
