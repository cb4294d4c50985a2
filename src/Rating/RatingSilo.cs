using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Storage;
using Tally.Rating.Live;

namespace Tally.Rating;

/// <summary>The Orleans silo of the rating stage: clustering and the rating grains' storage.</summary>
public static class RatingSilo
{
    /// <summary>
    /// A localhost silo (one process, the embedded default) with the rating storage on the ledger.
    /// </summary>
    public static ISiloBuilder UseTallyRating(this ISiloBuilder silo, IConfiguration configuration, int siloPort, int gatewayPort)
    {
        silo.UseLocalhostClustering(siloPort, gatewayPort);
        silo.Services.AddKeyedSingleton<IGrainStorage>(RatingStorage.Name, (provider, _) => ActivatorUtilities.CreateInstance<RatingStorage>(provider));
        silo.Configure<GrainCollectionOptions>(options => options.CollectionAge = TimeSpan.FromHours(2));
        return silo;
    }
}
