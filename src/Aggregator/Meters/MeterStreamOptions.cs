using System.ComponentModel.DataAnnotations;

namespace Tally.Aggregator.Meters;

/// <summary>Configuration section <c>MeterStream</c>: the live meter query streams dashboards keep open.</summary>
public sealed class MeterStreamOptions
{
    public const string SectionName = "MeterStream";

    /// <summary>How often an open stream runs its query again (each open dashboard costs one query per interval).</summary>
    [Range(100, 60_000, ErrorMessage = "MeterStream:IntervalMilliseconds must be between 100 and 60000.")]
    public int IntervalMilliseconds { get; set; } = 1_000;

    /// <summary>Most streams one process serves at once; more are answered 503 with Retry-After.</summary>
    [Range(1, 100_000, ErrorMessage = "MeterStream:MaxStreams must be between 1 and 100000.")]
    public int MaxStreams { get; set; } = 256;
}
