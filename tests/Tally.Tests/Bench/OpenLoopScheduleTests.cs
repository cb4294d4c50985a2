using Tally.Bench.Load;

namespace Tally.Tests.Bench;

public sealed class OpenLoopScheduleTests
{
    [Fact]
    public void IntendedStart_1000EventsPerSecondInBatchesOf100_EveryTenthOfASecond()
    {
        var schedule = new OpenLoopSchedule(1_000, 100);

        Assert.Equal(TimeSpan.Zero, schedule.IntendedStart(0));
        Assert.Equal(TimeSpan.FromMilliseconds(300), schedule.IntendedStart(3));
        Assert.Equal(TimeSpan.FromSeconds(60), schedule.IntendedStart(600));
    }

    [Fact]
    public void DueBy_CountsTheBatchesWhoseIntendedStartHasPassed()
    {
        var schedule = new OpenLoopSchedule(1_000, 100);

        Assert.Equal(0, schedule.DueBy(TimeSpan.FromTicks(-1)));
        Assert.Equal(1, schedule.DueBy(TimeSpan.Zero));
        Assert.Equal(3, schedule.DueBy(TimeSpan.FromMilliseconds(300) - TimeSpan.FromTicks(1)));
        Assert.Equal(4, schedule.DueBy(TimeSpan.FromMilliseconds(300)));
    }

    [Theory]
    [InlineData(7, 3)]
    [InlineData(333_333, 1_000)]
    [InlineData(1_500_000, 100)]
    public void DueBy_AgreesWithIntendedStartAtEveryBatch(long eventsPerSecond, int batchSize)
    {
        var schedule = new OpenLoopSchedule(eventsPerSecond, batchSize);
        for (long batch = 0; batch < 2_000; batch++)
        {
            var start = schedule.IntendedStart(batch);
            Assert.Equal(batch + 1, schedule.DueBy(start));
            Assert.Equal(batch, schedule.DueBy(start - TimeSpan.FromTicks(1)));
        }
    }

    [Fact]
    public void Latency_CountsFromTheIntendedStartNotFromTheSend()
    {
        var schedule = new OpenLoopSchedule(1_000, 100);

        // Batch 5 was due at 0.5 s; sent late at 0.9 s behind a stalled one, answered at 1.0 s: 500 ms, not 100 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(500), schedule.Latency(5, TimeSpan.FromSeconds(1)));
    }
}
