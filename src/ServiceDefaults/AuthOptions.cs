using System.ComponentModel.DataAnnotations;

namespace Tally.ServiceDefaults;

/// <summary>Configuration section <c>Auth</c>: how long a verified tenant API key is trusted before the ledger is asked again.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Seconds a key's verdict (valid for a tenant, or unknown) is cached; a revoked key stops working within this.</summary>
    [Range(0, 3_600, ErrorMessage = "Auth:ApiKeyCacheSeconds must be between 0 (no cache) and 3600.")]
    public int ApiKeyCacheSeconds { get; set; } = 30;

    /// <summary>Most API keys whose verdict is cached at once.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Auth:ApiKeyCacheEntries must be between 1 and 10000000.")]
    public int ApiKeyCacheEntries { get; set; } = 10_000;
}
