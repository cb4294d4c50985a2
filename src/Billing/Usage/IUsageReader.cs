using Tally.Billing.Meters;

namespace Tally.Billing.Usage;

/// <summary>Usage as Rating and the Invoicer read it, whatever stores it.</summary>
public interface IUsageReader
{
    /// <summary>
    /// The meter's aggregate over the subjects' events in [<paramref name="from"/>, <paramref name="to"/>),
    /// each identity counted once; 0 when no event is measurable.
    /// </summary>
    Task<decimal> GetTotalAsync(
        MeterDefinition meter,
        IReadOnlyList<string> subjects,
        DateTimeOffset from,
        DateTimeOffset to,
        CancellationToken cancellationToken);
}
