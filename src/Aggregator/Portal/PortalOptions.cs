using System.ComponentModel.DataAnnotations;

namespace Tally.Aggregator.Portal;

/// <summary>Configuration section <c>Portal</c>: how long portal tokens live.</summary>
public sealed class PortalOptions : IValidatableObject
{
    public const string SectionName = "Portal";

    /// <summary>Lifetime of a token created without <c>expiresAt</c> (OpenMeter's <c>portal.tokenExpiration</c>, 1 hour).</summary>
    public TimeSpan TokenExpiration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The latest <c>expiresAt</c> a token may ask for, from its creation.</summary>
    public TimeSpan MaxTokenExpiration { get; set; } = TimeSpan.FromDays(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TokenExpiration < TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult("Portal:TokenExpiration must be at least 00:01:00.", [nameof(TokenExpiration)]);
        }

        if (MaxTokenExpiration < TokenExpiration || MaxTokenExpiration > TimeSpan.FromDays(365))
        {
            yield return new ValidationResult("Portal:MaxTokenExpiration must be at least Portal:TokenExpiration and at most 365.00:00:00.", [nameof(MaxTokenExpiration)]);
        }
    }
}
