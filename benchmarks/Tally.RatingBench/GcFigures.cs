using System.Globalization;

namespace Tally.RatingBench;

/// <summary>Collections per generation and the time the process spent paused in them, to tell GC from the rest of a phase.</summary>
public readonly record struct GcFigures(int Gen0, int Gen1, int Gen2, TimeSpan Paused)
{
    public static GcFigures Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

    public static GcFigures operator -(GcFigures later, GcFigures earlier) =>
        new(later.Gen0 - earlier.Gen0, later.Gen1 - earlier.Gen1, later.Gen2 - earlier.Gen2, later.Paused - earlier.Paused);

    public GcFigures Subtract(GcFigures earlier) => this - earlier;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Gen0} gen0, {Gen1} gen1, {Gen2} gen2 collections (each counts its younger ones too), {Paused.TotalMilliseconds:F0} ms paused");
}
