namespace Tally.Billing.Usage;

/// <summary>Answers meter queries over the stored events (each identity counted once).</summary>
public interface IMeterQueryReader
{
    /// <summary>The rows of the query; a window and group with no measurable event has no row.</summary>
    /// <exception cref="UsageOverflowException">A value does not fit in a decimal.</exception>
    Task<IReadOnlyList<MeterQueryRow>> QueryAsync(MeterQuery query, CancellationToken cancellationToken);

    /// <summary>The distinct values of one of the meter's groupBy properties in [from, to), sorted.</summary>
    Task<IReadOnlyList<string>> GroupByValuesAsync(Meters.MeterDefinition meter, string groupBy, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The distinct subjects of the meter's events in [from, to) (open ends allowed), sorted.</summary>
    Task<IReadOnlyList<string>> SubjectsAsync(Meters.MeterDefinition meter, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken);
}

/// <summary>Usage beyond what a decimal holds (about 7.9e28): answered as a 422, never a crash.</summary>
public sealed class UsageOverflowException(string meterSlug, string value)
    : Exception($"The usage of meter {meterSlug} is {value}, more than Tally can represent (79228162514264337593543950335).")
{
    public string MeterSlug { get; } = meterSlug;
}
