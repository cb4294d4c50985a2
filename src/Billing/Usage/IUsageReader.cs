namespace Tally.Billing.Usage;

/// <summary>Aggregated usage as Rating and the Invoicer read it, whatever stores it.</summary>
public interface IUsageReader
{
    /// <summary>
    /// Sum of a meter's usage for the given subjects over [<paramref name="from"/>, <paramref name="to"/>)
    /// (minute windows starting in the range), each acknowledged event counted once.
    /// </summary>
    Task<decimal> GetTotalAsync(
        string tenantId,
        string meterId,
        IReadOnlyList<string> subjects,
        DateTimeOffset from,
        DateTimeOffset to,
        CancellationToken cancellationToken);
}
