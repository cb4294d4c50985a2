using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Tally.Billing.Tenants;

namespace Tally.ServiceDefaults;

/// <summary>
/// Tenant API-key verification with a short memory: the verdict for a key (its tenant, or none) is kept
/// for <c>Auth:ApiKeyCacheSeconds</c> under the key's SHA-256, never the key itself, so the ledger is not
/// asked on every request. The stored digest is compared in constant time before it is trusted. Keys
/// revoked through this process are forgotten at once; elsewhere within the TTL. A verdict carries the
/// tenant's principal, built once and shared read-only by the requests that present the key (nothing in
/// Tally adds claims or identities to a request's principal).
/// <para>
/// An HTTP/1.x connection also remembers the last key it presented and its verdict, so a client that sends
/// the same key on each request of a keep-alive connection is not hashed again: the key is compared in
/// constant time with the one the connection sent before (a string Kestrel itself keeps per connection), and
/// the memory ends when the verdict's TTL does or when <see cref="Clear"/> is called. A proxy that carries
/// several clients over one connection gets no further than a comparison with another client's key.
/// </para>
/// </summary>
public sealed class ApiKeyCache
{
    private static readonly object ConnectionKey = new();
    private readonly ITenantStore _tenants;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _ttl;
    private readonly ExpiringCache<string, Verdict>? _cache;
    private long _generation;

    public ApiKeyCache(ITenantStore tenants, TimeProvider clock, IOptions<AuthOptions> options)
    {
        _tenants = tenants;
        _clock = clock;
        var settings = options.Value;
        _ttl = TimeSpan.FromSeconds(settings.ApiKeyCacheSeconds);
        _cache = settings.ApiKeyCacheSeconds == 0
            ? null
            : new ExpiringCache<string, Verdict>(clock, TimeSpan.FromSeconds(settings.ApiKeyCacheSeconds), settings.ApiKeyCacheEntries);
    }

    /// <summary>How many times the ledger was asked (telemetry for tests).</summary>
    public long LedgerLookups => Interlocked.Read(ref _lookups);

    private long _lookups;

    /// <summary>The tenant of a key and its principal (scheme <see cref="TallyClaims.Scheme"/>), or null when the key is not valid.</summary>
    public async ValueTask<(Tenant Tenant, ClaimsPrincipal Principal)?> FindAsync(string apiKey, CancellationToken cancellationToken) =>
        await VerifyAsync(apiKey, cancellationToken) is { Tenant: { } tenant } verdict ? (tenant, verdict.Principal!) : null;

    /// <summary>
    /// As <see cref="FindAsync(string, CancellationToken)"/>, first asking the memory of an HTTP/1.x connection
    /// (its <c>IConnectionItemsFeature</c> items; null for other protocols, whose requests may run at once).
    /// </summary>
    public async ValueTask<(Tenant Tenant, ClaimsPrincipal Principal)?> FindAsync(string apiKey, IDictionary<object, object?>? connection, CancellationToken cancellationToken)
    {
        if (connection is null || _cache is null)
        {
            return await FindAsync(apiKey, cancellationToken);
        }

        var generation = Interlocked.Read(ref _generation);
        if (connection.TryGetValue(ConnectionKey, out var held) && held is ConnectionVerdict last
            && last.Generation == generation
            && _clock.GetElapsedTime(last.Verdict.VerifiedAt) < _ttl
            && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(last.ApiKey.AsSpan()), MemoryMarshal.AsBytes(apiKey.AsSpan())))
        {
            return (last.Verdict.Tenant!, last.Verdict.Principal!);
        }

        if (await VerifyAsync(apiKey, cancellationToken) is not { Tenant: { } tenant } verdict)
        {
            connection.Remove(ConnectionKey);
            return null;
        }

        connection[ConnectionKey] = new ConnectionVerdict(apiKey, verdict, generation);
        return (tenant, verdict.Principal!);
    }

    /// <summary>Forgets every verdict (after a key is revoked or a tenant's settings change), connections' memories included.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _cache?.Clear();
    }

    /// <summary>The verdict on a key (cached, else from the ledger) once its digest is confirmed, else null.</summary>
    private async ValueTask<Verdict?> VerifyAsync(string apiKey, CancellationToken cancellationToken)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
        var verdict = _cache is null
            ? await LookUpAsync(apiKey, digest)
            : await _cache.GetAsync(Convert.ToBase64String(digest), _ => LookUpAsync(apiKey, digest), cancellationToken);
        return CryptographicOperations.FixedTimeEquals(verdict.Digest, digest) ? verdict : null;
    }

    private async Task<Verdict> LookUpAsync(string apiKey, byte[] digest)
    {
        Interlocked.Increment(ref _lookups);
        // Taken before the ledger is asked, as the cache dates its entry: a connection's memory ends with the cached verdict.
        var verifiedAt = _clock.GetTimestamp();
        var tenant = await _tenants.FindByApiKeyAsync(apiKey, CancellationToken.None).ConfigureAwait(false);
        return new Verdict(digest, tenant, tenant is null ? null : PrincipalOf(tenant), verifiedAt);
    }

    /// <summary>A tenant's claims: its id and name, and its own ingest limits when the admin API set them.</summary>
    private static ClaimsPrincipal PrincipalOf(Tenant tenant)
    {
        var claims = new List<Claim> { new(TallyClaims.TenantId, tenant.Id), new(ClaimTypes.Name, tenant.Name) };
        if (tenant.RequestsPerSecond is { } requests)
        {
            claims.Add(new Claim(TallyClaims.RequestsPerSecond, requests.ToString(CultureInfo.InvariantCulture)));
        }

        if (tenant.EventsPerSecond is { } events)
        {
            claims.Add(new Claim(TallyClaims.EventsPerSecond, events.ToString(CultureInfo.InvariantCulture)));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, TallyClaims.Scheme));
    }

    private sealed record Verdict(byte[] Digest, Tenant? Tenant, ClaimsPrincipal? Principal, long VerifiedAt);

    private sealed record ConnectionVerdict(string ApiKey, Verdict Verdict, long Generation);
}
