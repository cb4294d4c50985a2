using Tally.Billing.Usage;

namespace Tally.Tests.Rating;

/// <summary>Exactly-once application of usage deltas: what a replay, a republished batch or a snapshot cut leaves to apply.</summary>
public sealed class DeltaWatermarksTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 3, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Fresh_SameDeltaTwice_AppliesItsEventsOnce()
    {
        var marks = new DeltaWatermarks();
        var delta = Delta("s1", 0, 4, 5, 9);

        Assert.Equal([4L, 5L, 9L], marks.Fresh(delta).Select(e => e.Position));
        Assert.Empty(marks.Fresh(delta));
    }

    [Fact]
    public void Fresh_RepublishedBatchCutDifferently_AppliesOnlyTheEventsAfterTheMark()
    {
        var marks = new DeltaWatermarks();
        marks.Fresh(Delta("s1", 0, 10, 11));

        Assert.Equal([12L, 13L], marks.Fresh(Delta("s1", 0, 10, 11, 12, 13)).Select(e => e.Position));
    }

    [Fact]
    public void Fresh_OtherSubjectOrPartition_HasItsOwnMark()
    {
        var marks = new DeltaWatermarks();
        marks.Fresh(Delta("s1", 0, 100));

        Assert.Equal([5L], marks.Fresh(Delta("s2", 0, 5)).Select(e => e.Position));
        Assert.Equal([7L], marks.Fresh(Delta("s1", 1, 7)).Select(e => e.Position));
        Assert.Equal(3, marks.Count);
    }

    [Fact]
    public void Reset_SnapshotCut_SkipsWhatTheSnapshotHolds()
    {
        var marks = new DeltaWatermarks();
        marks.Reset(new Dictionary<(string, int), long> { [("s1", 0)] = 20 });

        Assert.Equal([21L], marks.Fresh(Delta("s1", 0, 19, 20, 21)).Select(e => e.Position));
        Assert.Equal([0L], marks.Fresh(Delta("s9", 0, 0)).Select(e => e.Position));
    }

    private static UsageDelta Delta(string subject, int partition, params long[] positions) =>
        new("tnt", subject, partition, [.. positions.Select(p => new DeltaEvent(p, "prompt", At, "src", $"e{p}", "{\"tokens\":1}"))]);
}
