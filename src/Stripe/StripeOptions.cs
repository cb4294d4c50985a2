using System.ComponentModel.DataAnnotations;

namespace Tally.Stripe;

/// <summary>
/// Configuration section <c>Stripe</c>. Stripe keys are not configured here: each tenant installs its
/// own (OpenMeter's <c>POST /api/v1/marketplace/listings/stripe/install/apikey</c>), stored sealed with
/// <see cref="EncryptionKey"/>.
/// </summary>
public sealed class StripeOptions : IValidatableObject
{
    public const string SectionName = "Stripe";

    /// <summary>Bytes of an AES-256 key.</summary>
    public const int EncryptionKeyBytes = 32;

    /// <summary>
    /// Retired: one key served every tenant. Still bound so that a deployment that sets it fails at
    /// start with directions instead of silently no longer pushing.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// AES-256-GCM key (32 bytes, base64) that seals tenants' Stripe keys in the ledger. Unset: one is
    /// generated once into <c>{data-dir}/stripe-encryption-key</c> (0600), which suits one machine;
    /// processes on several machines must share one configured key.
    /// </summary>
    public string? EncryptionKey { get; set; }

    /// <summary>API base address; set only to point at a Stripe-compatible fake in tests.</summary>
    [Url(ErrorMessage = "Stripe:BaseAddress must be an absolute http(s) URL.")]
    public string? BaseAddress { get; set; }

    /// <summary>Days a customer has to pay a pushed invoice that Stripe sends (no default payment method).</summary>
    [Range(0, 365, ErrorMessage = "Stripe:DaysUntilDue must be between 0 and 365.")]
    public int DaysUntilDue { get; set; } = 30;

    /// <summary>Stripe.net's own retries of a request that failed on the network, with 409 or 5xx (same idempotency key).</summary>
    [Range(0, 10, ErrorMessage = "Stripe:MaxNetworkRetries must be between 0 and 10.")]
    public int MaxNetworkRetries { get; set; } = 2;

    /// <summary>How long one HTTP request to Stripe may take before it counts as a network failure.</summary>
    [Range(1, 600, ErrorMessage = "Stripe:RequestTimeoutSeconds must be between 1 and 600.")]
    public int RequestTimeoutSeconds { get; set; } = 80;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(ApiKey))
        {
            yield return new ValidationResult(
                "Stripe:ApiKey is no longer read: a Stripe key belongs to one tenant now. Remove it and install each tenant's key with POST /api/v1/marketplace/listings/stripe/install/apikey.",
                [nameof(ApiKey)]);
        }

        if (!string.IsNullOrEmpty(EncryptionKey) && DecodeEncryptionKey(EncryptionKey) is null)
        {
            yield return new ValidationResult(
                $"Stripe:EncryptionKey must be {EncryptionKeyBytes} bytes in base64; generate one with 'openssl rand -base64 32'.",
                [nameof(EncryptionKey)]);
        }
    }

    /// <summary>The key's bytes, or null unless <paramref name="base64"/> holds exactly <see cref="EncryptionKeyBytes"/>.</summary>
    internal static byte[]? DecodeEncryptionKey(string base64)
    {
        var bytes = new byte[EncryptionKeyBytes + 3];
        return Convert.TryFromBase64String(base64.Trim(), bytes, out var written) && written == EncryptionKeyBytes ? bytes[..written] : null;
    }
}
