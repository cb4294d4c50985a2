using Tally.Billing.Meters;

namespace Tally.Billing.Usage;

/// <summary>Window sizes of a meter query, OpenMeter's names.</summary>
public enum WindowSize
{
    Minute,
    Hour,
    Day,
    Month,
}

/// <summary>
/// A meter query as OpenMeter's <c>/api/v1/meters/{meter}/query</c> takes it, resolved: events of the
/// meter in [<see cref="From"/>, <see cref="To"/>) (either may be open), cut into windows of
/// <see cref="WindowSize"/> in <see cref="TimeZone"/> (one value for the whole range when null), split
/// by subject, customer and the meter's groupBy properties as asked.
/// </summary>
public sealed record MeterQuery(MeterDefinition Meter, DateTimeOffset? From, DateTimeOffset? To, WindowSize? WindowSize)
{
    /// <summary>IANA time zone the windows are cut in.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Only these subjects (empty: all).</summary>
    public IReadOnlyList<string> Subjects { get; init; } = [];

    /// <summary>
    /// Subject to customer id for <c>filterCustomerId</c>: only these subjects, each row labelled with
    /// its customer (null: no customer filter).
    /// </summary>
    public IReadOnlyDictionary<string, string>? CustomerBySubject { get; init; }

    public bool GroupBySubject { get; init; }

    public bool GroupByCustomer { get; init; }

    /// <summary>The meter's groupBy properties to split by, in the order asked.</summary>
    public IReadOnlyList<string> GroupBy { get; init; } = [];

    /// <summary>Only events whose groupBy property has one of the values.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> FilterGroupBy { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
}

/// <summary>
/// One value of a meter query: the window (UTC instants) and what the row is split by. Groups and
/// properties missing from an event are <c>""</c>, as OpenMeter reports them.
/// </summary>
public sealed record MeterQueryRow(
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    string? Subject,
    string? CustomerId,
    IReadOnlyDictionary<string, string> GroupBy,
    decimal Value);
