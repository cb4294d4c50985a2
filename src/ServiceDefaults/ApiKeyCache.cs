using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Tally.Billing.Tenants;

namespace Tally.ServiceDefaults;

/// <summary>
/// Tenant API-key verification with a short memory: the verdict for a key (its tenant, or none) is kept
/// for <c>Auth:ApiKeyCacheSeconds</c> under the key's SHA-256, never the key itself, so the ledger is not
/// asked on every request. The stored digest is compared in constant time before it is trusted. Keys
/// revoked through this process are forgotten at once; elsewhere within the TTL.
/// </summary>
public sealed class ApiKeyCache
{
    private readonly ITenantStore _tenants;
    private readonly ExpiringCache<string, Verdict>? _cache;

    public ApiKeyCache(ITenantStore tenants, TimeProvider clock, IOptions<AuthOptions> options)
    {
        _tenants = tenants;
        var settings = options.Value;
        _cache = settings.ApiKeyCacheSeconds == 0
            ? null
            : new ExpiringCache<string, Verdict>(clock, TimeSpan.FromSeconds(settings.ApiKeyCacheSeconds), settings.ApiKeyCacheEntries);
    }

    /// <summary>How many times the ledger was asked (telemetry for tests).</summary>
    public long LedgerLookups => Interlocked.Read(ref _lookups);

    private long _lookups;

    public async ValueTask<Tenant?> FindAsync(string apiKey, CancellationToken cancellationToken)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
        if (_cache is null)
        {
            return (await LookUpAsync(apiKey, digest)).Tenant;
        }

        var verdict = await _cache.GetAsync(Convert.ToBase64String(digest), _ => LookUpAsync(apiKey, digest), cancellationToken);
        return CryptographicOperations.FixedTimeEquals(verdict.Digest, digest) ? verdict.Tenant : null;
    }

    /// <summary>Forgets every verdict (after a key is revoked or a tenant's settings change).</summary>
    public void Clear() => _cache?.Clear();

    private async Task<Verdict> LookUpAsync(string apiKey, byte[] digest)
    {
        Interlocked.Increment(ref _lookups);
        return new Verdict(digest, await _tenants.FindByApiKeyAsync(apiKey, CancellationToken.None).ConfigureAwait(false));
    }

    private sealed record Verdict(byte[] Digest, Tenant? Tenant);
}
