using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing.Events;

namespace Tally.EventIdentities;

/// <summary>Registers the event identity index.</summary>
public static class EventIdentitiesServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates (at start-up) the <c>EventIdentities</c> section and registers
    /// <see cref="IEventIdentityIndex"/> as a singleton: a RocksDB database under
    /// <c>EventIdentities:Directory</c> or <c>{data-dir}/identities</c>, opened on first use.
    /// </summary>
    public static IServiceCollection AddTallyEventIdentities(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        services.AddOptions<EventIdentitiesOptions>()
            .Bind(configuration.GetSection(EventIdentitiesOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IEventIdentityIndex>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EventIdentitiesOptions>>().Value;
            return RocksDbEventIdentityIndex.Open(
                options.Directory ?? Path.Combine(Path.GetFullPath(dataDirectory), "identities"),
                options.BlockCacheMegabytes,
                provider.GetRequiredService<ILoggerFactory>().CreateLogger<RocksDbEventIdentityIndex>());
        });
        return services;
    }
}
