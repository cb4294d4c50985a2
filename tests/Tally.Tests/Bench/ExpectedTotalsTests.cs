using System.Globalization;
using Tally.Bench.Generation;

namespace Tally.Tests.Bench;

public sealed class ExpectedTotalsTests
{
    private static readonly DateTimeOffset RunStart = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Value_HandMadeEvents_FoldsEveryAggregationOncePerIdentity()
    {
        var at = RunStart.AddMinutes(-30);
        var totals = new ExpectedTotals(tenants: 1);
        var first = Prompt(1, at, tokens: 10, latencyMilli: 1_000, user: "u1");
        totals.Add(new GeneratedBatch(0, 0,
        [
            first,
            Prompt(2, at.AddSeconds(1), tokens: 5, latencyMilli: 2_000, user: "u2"),
            Prompt(3, at.AddDays(-1), tokens: 7, latencyMilli: 500, user: "u1") with { Late = true },
            first with { Duplicate = true },
            Storage(4, at, gbCenti: 150),
            Storage(10, at, gbCenti: 999), // same time as e4: the greater id ("e4" > "e10" ordinally) wins
        ]));

        Assert.Equal(22m, Value(totals, "tokens"));
        Assert.Equal(3m, Value(totals, "prompts"));
        Assert.Equal(1.166666666m, Value(totals, "latency-avg")); // 3.5 / 3, cut at nine decimals
        Assert.Equal(0.5m, Value(totals, "latency-min"));
        Assert.Equal(2m, Value(totals, "latency-max"));
        Assert.Equal(2m, Value(totals, "active-users"));
        Assert.Equal(1.5m, Value(totals, "storage-gb"));
        Assert.Equal(2m, Value(totals, "storage-writes"));
        Assert.Equal(5, totals.Events);
        Assert.Equal(6, totals.Sent);
    }

    [Fact]
    public void Value_NoEventOfTheMetersType_IsNoRow()
    {
        var totals = new ExpectedTotals(tenants: 2);
        totals.Add(new GeneratedBatch(0, 0, [Prompt(1, RunStart, 1, 1, "u")]));

        Assert.Null(totals.Value(0, Meter("storage-gb")));
        Assert.Null(totals.Value(1, Meter("tokens")));
    }

    [Fact]
    public void Of_GeneratedRun_EqualsANaiveFoldOverDistinctIdentities()
    {
        const int Batches = 400;
        var generator = new EventGenerator(LoadProfile.Small, 5, RunStart);
        var events = Enumerable.Range(0, Batches).SelectMany(_ => generator.Next().Events).ToList();
        var totals = ExpectedTotals.Of(LoadProfile.Small, 5, RunStart, Batches);

        for (var tenant = 0; tenant < LoadProfile.Small.Tenants; tenant++)
        {
            var counted = events.Where(e => e.Tenant == tenant).DistinctBy(e => e.Id).ToList();
            foreach (var meter in BenchMeters.All)
            {
                var measured = counted.Where(e => e.Type == meter.EventType).ToList();
                decimal? naive = measured.Count == 0 ? null : meter.Aggregation switch
                {
                    "SUM" => measured.Sum(meter.Number!),
                    "COUNT" => measured.Count,
                    "AVG" => decimal.Round(measured.Sum(meter.Number!) / measured.Count, 9, MidpointRounding.ToZero),
                    "MIN" => measured.Min(meter.Number!),
                    "MAX" => measured.Max(meter.Number!),
                    "UNIQUE_COUNT" => measured.Select(meter.Raw!).Distinct().Count(),
                    "LATEST" => meter.Number!(measured.OrderBy(e => e.Time).ThenBy(e => e.Id, StringComparer.Ordinal).Last()),
                    _ => throw new NotSupportedException(meter.Aggregation),
                };
                Assert.Equal(naive, totals.Value(tenant, meter));
            }
        }

        Assert.Equal(events.Count, totals.Sent);
        Assert.Equal(events.Count(e => !e.Duplicate), totals.Events);
    }

    private static decimal? Value(ExpectedTotals totals, string slug) => totals.Value(0, Meter(slug));

    private static BenchMeter Meter(string slug) => BenchMeters.All.Single(m => m.Slug == slug);

    private static GeneratedEvent Prompt(long sequence, DateTimeOffset time, int tokens, long latencyMilli, string user) =>
        new(sequence, 0, GeneratedEvent.PromptType, "c0", time, "{}", sequence.ToString(CultureInfo.InvariantCulture))
        {
            Tokens = tokens,
            LatencyMilli = latencyMilli,
            User = user,
            Group = "m0",
        };

    private static GeneratedEvent Storage(long sequence, DateTimeOffset time, long gbCenti) =>
        new(sequence, 0, GeneratedEvent.StorageType, "c0", time, "{}", sequence.ToString(CultureInfo.InvariantCulture)) { GbCenti = gbCenti, Group = "b0" };
}
