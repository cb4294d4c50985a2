namespace Tally.Billing.Usage;

/// <summary>Answers OpenMeter-style meter queries over aggregated usage.</summary>
public interface IMeterQueryReader
{
    Task<IReadOnlyList<MeterQueryRow>> QueryAsync(MeterQuery query, CancellationToken cancellationToken);
}
