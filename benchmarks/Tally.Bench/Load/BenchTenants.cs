using System.Globalization;
using Tally.Bench.Generation;

namespace Tally.Bench.Load;

/// <summary>The run's tenants (with every bench meter) and the freshness probe's tenant, created through the admin and meter APIs.</summary>
public sealed record BenchTenants(IReadOnlyList<string> Ids, IReadOnlyList<string> ApiKeys, string ProbeApiKey)
{
    public static async Task<BenchTenants> CreateAsync(TallyAdminClient admin, string runId, int count, CancellationToken cancellationToken)
    {
        var ids = new string[count];
        var keys = new string[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (t, ct) =>
        {
            (ids[t], keys[t]) = await admin.CreateTenantAsync(string.Create(CultureInfo.InvariantCulture, $"bench-{runId}-t{t}"), ct);
            foreach (var meter in BenchMeters.All)
            {
                await admin.CreateMeterAsync(keys[t], meter, ct);
            }
        });
        var (_, probeKey) = await admin.CreateTenantAsync($"bench-{runId}-probe", cancellationToken);
        await admin.CreateCountMeterAsync(probeKey, FreshnessProbe.MeterSlug, FreshnessProbe.EventType, cancellationToken);
        return new BenchTenants(ids, keys, probeKey);
    }
}
