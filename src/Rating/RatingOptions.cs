using System.ComponentModel.DataAnnotations;

namespace Tally.Rating;

/// <summary>Configuration section <c>Rating</c>: webhook deliveries, the usage delta consumer and the customer lookup cache.</summary>
public sealed class RatingOptions : IValidatableObject
{
    public const string SectionName = "Rating";

    /// <summary>Pause before each retry of a failed webhook delivery, in seconds; after the last, the delivery stays FAILED.</summary>
    public double[]? WebhookRetrySeconds { get; set; }

    /// <summary>The retry pauses in force: <see cref="WebhookRetrySeconds"/>, or 5 s, 30 s, 2 min, 10 min, 30 min, 1 h.</summary>
    public IReadOnlyList<double> RetrySchedule => WebhookRetrySeconds ?? [5, 30, 120, 600, 1800, 3600];

    [Range(1, 120, ErrorMessage = "Rating:WebhookTimeoutSeconds must be between 1 and 120.")]
    public int WebhookTimeoutSeconds { get; set; } = 10;

    /// <summary>How often the dispatcher looks for due deliveries when nothing wakes it.</summary>
    [Range(50, 60_000, ErrorMessage = "Rating:DeliveryPollMilliseconds must be between 50 and 60000.")]
    public int DeliveryPollMilliseconds { get; set; } = 1000;

    /// <summary>Usage delta records read per batch before they are applied and committed.</summary>
    [Range(1, 100_000, ErrorMessage = "Rating:DeltaBatchRecords must be between 1 and 100000.")]
    public int DeltaBatchRecords { get; set; } = 5000;

    /// <summary>Delta batches read ahead while the grains apply earlier ones; a partition's position is committed only past applied batches.</summary>
    [Range(1, 1024, ErrorMessage = "Rating:DeltaBatchesInFlight must be between 1 and 1024.")]
    public int DeltaBatchesInFlight { get; set; } = 8;

    [Range(1, 10_000, ErrorMessage = "Rating:DeltaWaitMilliseconds must be between 1 and 10000.")]
    public int DeltaWaitMilliseconds { get; set; } = 50;

    /// <summary>How long the entitlement routes remember a customer looked up by id or key (0: ask the ledger on every request).</summary>
    [Range(0, 3600, ErrorMessage = "Rating:CustomerCacheSeconds must be between 0 and 3600.")]
    public int CustomerCacheSeconds { get; set; } = 5;

    /// <summary>At most this many customer lookups are remembered.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Rating:CustomerCacheEntries must be between 1 and 10000000.")]
    public int CustomerCacheEntries { get; set; } = 200_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (WebhookRetrySeconds is { } retries && (retries.Length > 20 || retries.Any(s => s is < 0 or > 86_400)))
        {
            yield return new ValidationResult("Rating:WebhookRetrySeconds must list at most 20 pauses of 0 to 86400 seconds.", [nameof(WebhookRetrySeconds)]);
        }
    }
}
