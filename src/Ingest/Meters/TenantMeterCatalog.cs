using Microsoft.Extensions.Options;
using Tally.Billing.Meters;
using Tally.ServiceDefaults;

namespace Tally.Ingest.Meters;

/// <summary>
/// Each tenant's meters for judging incoming events, cached for <c>Ingest:MeterCacheSeconds</c> (bounded by
/// <c>Ingest:MeterCacheTenants</c>) so ingest never reads the ledger per event; a change made through this
/// process (<see cref="MeterChanges"/>) drops the tenant's entry at once.
/// </summary>
public sealed class TenantMeterCatalog
{
    private readonly IMeterStore _meters;
    private readonly ExpiringCache<string, MeterCatalog> _cache;

    public TenantMeterCatalog(IMeterStore meters, MeterChanges changes, TimeProvider clock, IOptions<IngestOptions> options)
    {
        _meters = meters;
        _cache = new ExpiringCache<string, MeterCatalog>(clock, TimeSpan.FromSeconds(options.Value.MeterCacheSeconds), options.Value.MeterCacheTenants);
        changes.Changed += _cache.Invalidate;
    }

    /// <summary>How many reads of the ledger the cache made (telemetry for tests and operators).</summary>
    public long Loads => Interlocked.Read(ref _loads);

    private long _loads;

    public ValueTask<MeterCatalog> GetAsync(string tenantId, CancellationToken cancellationToken) =>
        _cache.GetAsync(tenantId, LoadAsync, cancellationToken);

    private async Task<MeterCatalog> LoadAsync(string tenantId)
    {
        Interlocked.Increment(ref _loads);
        return new MeterCatalog(await _meters.ListAsync(tenantId, CancellationToken.None).ConfigureAwait(false));
    }
}
