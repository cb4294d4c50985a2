using Tally.Billing.Calendar;

namespace Tally.Billing.Catalog;

/// <summary>Where a plan version is in its life, from its effective dates (OpenMeter's rule).</summary>
public enum PlanStatus
{
    Draft,
    Active,
    Archived,
    Scheduled,
}

/// <summary>
/// One version of a plan (OpenMeter's product catalog). Versions of one key are numbered from 1; a
/// version is edited only as a draft, and once published its phases never change, so a subscription
/// on it (and every past period) keeps its prices whatever later versions say.
/// </summary>
public sealed record Plan(
    string TenantId,
    string Id,
    string Key,
    int Version,
    string Name,
    Currency Currency,
    IsoDuration BillingCadence,
    IReadOnlyList<PlanPhase> Phases,
    DateTimeOffset CreatedAt)
{
    public string? Description { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Whether flat fees (and commitments) of a partial billing period are prorated by the time covered.</summary>
    public bool ProRating { get; init; } = true;

    public DateTimeOffset? EffectiveFrom { get; init; }

    public DateTimeOffset? EffectiveTo { get; init; }

    public DateTimeOffset UpdatedAt { get; init; } = CreatedAt;

    public DateTimeOffset? DeletedAt { get; init; }

    public PlanStatus StatusAt(DateTimeOffset now) => (EffectiveFrom, EffectiveTo) switch
    {
        (null, _) => PlanStatus.Draft,
        (_, { } to) when to <= now => PlanStatus.Archived,
        ({ } from, _) when from > now => PlanStatus.Scheduled,
        _ => PlanStatus.Active,
    };

    /// <summary>Every rate card of every phase.</summary>
    public IEnumerable<RateCard> RateCards => Phases.SelectMany(phase => phase.RateCards);
}

/// <summary>
/// A phase of a plan: its rate cards apply for <see cref="Duration"/> from the end of the previous
/// phase (the subscription's start for the first); the last phase has no duration and never ends.
/// </summary>
public sealed record PlanPhase(string Key, string Name, IsoDuration? Duration, IReadOnlyList<RateCard> RateCards)
{
    public string? Description { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
