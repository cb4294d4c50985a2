using System.Globalization;
using Tally.Billing.Invoices;

namespace Tally.Billing.Closing;

/// <summary>Bounds of the data-quality checks and the approval gate.</summary>
public sealed record CloseChecks(decimal? ApprovalAbove, decimal MaxGrowthFactor, decimal MinShrinkFactor);

/// <summary>
/// The data-quality checks a draft passes before it may be issued, and whether a person must approve
/// it. A critical finding always holds the invoice for review; it never silently passes. Pure.
/// </summary>
public static class InvoiceChecks
{
    public const string NegativeLine = "negative_line";
    public const string UsageUnreconciled = "usage_unreconciled";
    public const string TotalOutOfBounds = "total_out_of_bounds";

    /// <param name="draft">The draft.</param>
    /// <param name="previousTotal">The total of the customer's previous period's invoice, when there is one.</param>
    /// <param name="unreconciledMeters">Meters whose pre-aggregated usage differed from the raw events over the customer's period.</param>
    /// <param name="bounds">The configured bounds.</param>
    public static IReadOnlyList<InvoiceIssue> Run(Invoice draft, decimal? previousTotal, IReadOnlyCollection<string> unreconciledMeters, CloseChecks bounds)
    {
        var issues = new List<InvoiceIssue>();
        foreach (var line in draft.Lines.Where(l => l.Amount < 0 && l.Covers is null))
        {
            issues.Add(new(NegativeLine, InvoiceIssue.Critical, $"Line {line.Key} is negative ({Format(line.Amount)} {draft.Currency.Code})."));
        }

        foreach (var meter in unreconciledMeters.Order(StringComparer.Ordinal))
        {
            issues.Add(new(UsageUnreconciled, InvoiceIssue.Critical, $"Meter {meter}: the hourly roll-ups differ from the raw events in this period; the invoice bills the raw events, check the difference before approving."));
        }

        if (previousTotal is { } previous && previous > 0m)
        {
            var ratio = draft.Total / previous;
            if (ratio > bounds.MaxGrowthFactor || ratio < bounds.MinShrinkFactor)
            {
                issues.Add(new(TotalOutOfBounds, InvoiceIssue.Critical,
                    $"Total {Format(draft.Total)} is {Format(Math.Round(ratio, 2))}x the previous period's {Format(previous)}; allowed {Format(bounds.MinShrinkFactor)}x to {Format(bounds.MaxGrowthFactor)}x."));
            }
        }

        return issues;
    }

    /// <summary>Whether the draft waits for a person: a critical finding, or a total above the approval threshold.</summary>
    public static bool NeedsApproval(Invoice draft, IReadOnlyList<InvoiceIssue> issues, CloseChecks bounds) =>
        issues.Any(i => i.Severity == InvoiceIssue.Critical) || (bounds.ApprovalAbove is { } above && draft.Total > above);

    private static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
