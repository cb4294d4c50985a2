using System.ComponentModel.DataAnnotations;
using Tally.Billing.Closing;

namespace Tally.Invoicer.Closing;

/// <summary>Configuration section <c>Close</c>: the period close workflow.</summary>
public sealed class CloseOptions : IValidatableObject
{
    public const string SectionName = "Close";

    /// <summary>How long after a period ends late events are still waited for before its usage is frozen.</summary>
    [Range(0, 10_080, ErrorMessage = "Close:GraceMinutes must be between 0 and 10080.")]
    public int GraceMinutes { get; set; } = 60;

    /// <summary>
    /// Whether the scheduler starts each tenant's close once a period has ended (plus grace). It catches up
    /// every label missed since the tenant was created, oldest first: a label is never skipped, so there is
    /// no bound on how far back (a bound would leave a month unbilled after a long outage).
    /// </summary>
    public bool ScheduleEnabled { get; set; } = true;

    /// <summary>Invoices with a total above this wait for a person's approval (unset: none for the amount alone).</summary>
    [Range(typeof(decimal), "0", "79228162514264337593543950335", ErrorMessage = "Close:ApprovalAbove must not be negative.")]
    public decimal? ApprovalAbove { get; set; }

    /// <summary>A total more than this many times the previous period's is held for review.</summary>
    [Range(typeof(decimal), "1", "1000000", ErrorMessage = "Close:MaxGrowthFactor must be between 1 and 1000000.")]
    public decimal MaxGrowthFactor { get; set; } = 10m;

    /// <summary>A total less than this fraction of the previous period's is held for review.</summary>
    [Range(typeof(decimal), "0", "1", ErrorMessage = "Close:MinShrinkFactor must be between 0 and 1.")]
    public decimal MinShrinkFactor { get; set; } = 0.1m;

    /// <summary>How many closed periods back late usage is looked for and billed as adjustment lines.</summary>
    [Range(0, 12, ErrorMessage = "Close:LateUsagePeriods must be between 0 and 12.")]
    public int LateUsagePeriods { get; set; } = 1;

    /// <summary>Failures of a step before its task is parked.</summary>
    [Range(1, 100, ErrorMessage = "Close:MaxAttempts must be between 1 and 100.")]
    public int MaxAttempts { get; set; } = 8;

    [Range(1, 3_600_000, ErrorMessage = "Close:RetryBaseMilliseconds must be between 1 and 3600000.")]
    public int RetryBaseMilliseconds { get; set; } = 1_000;

    [Range(1, 86_400_000, ErrorMessage = "Close:RetryMaxMilliseconds must be between 1 and 86400000.")]
    public int RetryMaxMilliseconds { get; set; } = 300_000;

    /// <summary>Tasks a worker takes at once for a ledger step.</summary>
    [Range(1, 10_000, ErrorMessage = "Close:BatchSize must be between 1 and 10000.")]
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// Batches this process works at once, each leased on its own: one commits while the others rate and read usage.
    /// Invoice numbers stay gap-free; they follow the task order within a batch and the commit order between batches.
    /// </summary>
    [Range(1, 16, ErrorMessage = "Close:ConcurrentBatches must be between 1 and 16.")]
    public int ConcurrentBatches { get; set; } = 2;

    /// <summary>Payment-processor calls in flight at once.</summary>
    [Range(1, 1_000, ErrorMessage = "Close:PushConcurrency must be between 1 and 1000.")]
    public int PushConcurrency { get; set; } = 25;

    /// <summary>How long a worker holds leased tasks before another may take them over.</summary>
    [Range(5, 3_600, ErrorMessage = "Close:LeaseSeconds must be between 5 and 3600.")]
    public int LeaseSeconds { get; set; } = 120;

    /// <summary>How often an idle worker looks for due tasks.</summary>
    [Range(10, 60_000, ErrorMessage = "Close:PollMilliseconds must be between 10 and 60000.")]
    public int PollMilliseconds { get; set; } = 500;

    public TimeSpan Grace => TimeSpan.FromMinutes(GraceMinutes);

    public RetryPolicy Retry => new(MaxAttempts, TimeSpan.FromMilliseconds(RetryBaseMilliseconds), TimeSpan.FromMilliseconds(RetryMaxMilliseconds));

    public CloseChecks Checks => new(ApprovalAbove, MaxGrowthFactor, MinShrinkFactor);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryMaxMilliseconds < RetryBaseMilliseconds)
        {
            yield return new ValidationResult("Close:RetryMaxMilliseconds must be at least Close:RetryBaseMilliseconds.", [nameof(RetryMaxMilliseconds)]);
        }

        if (MinShrinkFactor >= MaxGrowthFactor)
        {
            yield return new ValidationResult("Close:MinShrinkFactor must be below Close:MaxGrowthFactor.", [nameof(MinShrinkFactor)]);
        }
    }
}
