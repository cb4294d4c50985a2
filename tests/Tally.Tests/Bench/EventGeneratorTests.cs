using Tally.Bench.Generation;

namespace Tally.Tests.Bench;

public sealed class EventGeneratorTests
{
    private static readonly DateTimeOffset RunStart = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Next_SameSeedAndStart_GeneratesTheSameBytes()
    {
        var first = new EventGenerator(LoadProfile.Small, 7, RunStart);
        var second = new EventGenerator(LoadProfile.Small, 7, RunStart);

        for (var b = 0; b < 50; b++)
        {
            var (one, other) = (first.Next(), second.Next());
            Assert.Equal(one.Tenant, other.Tenant);
            Assert.Equal(one.Events.Select(e => e.Json), other.Events.Select(e => e.Json));
        }
    }

    [Fact]
    public void Next_SmallProfile_AFewTenantsSendMostEvents()
    {
        var generator = new EventGenerator(LoadProfile.Small, 20261127, RunStart);
        var perTenant = new long[LoadProfile.Small.Tenants];
        for (var b = 0; b < 10_000; b++)
        {
            perTenant[generator.Next().Tenant]++;
        }

        // Zipf 1.2 over ten tenants: shares 40.5%, 17.6%, 10.8%, ... 2.5% for the tenth.
        Assert.Equal([4_019, 1_781, 1_102, 810, 570, 465, 379, 338, 280, 256], perTenant);
        Assert.Equal(0.405, new ZipfDistribution(10, 1.2).Share(0), 3);
    }

    [Fact]
    public void Next_100000Events_ResendsOnePercentAndSendsHalfAPercentLate()
    {
        var generator = new EventGenerator(LoadProfile.Small, 20261127, RunStart);
        var events = Enumerable.Range(0, 1_000).SelectMany(_ => generator.Next().Events).ToList();

        Assert.Equal(100_000, events.Count);
        Assert.Equal(977, events.Count(e => e.Duplicate));
        Assert.Equal(472, events.Count(e => e.Late && !e.Duplicate));
        Assert.Equal(9_820, events.Count(e => e.Type == GeneratedEvent.StorageType && !e.Duplicate));
    }

    [Fact]
    public void Next_Resend_IsTheSameBytesAsAnEarlierEventOfTheSameTenant()
    {
        var generator = new EventGenerator(LoadProfile.Small, 3, RunStart);
        var seen = new Dictionary<string, GeneratedEvent>();
        var resends = 0;
        for (var b = 0; b < 300; b++)
        {
            var batch = generator.Next();
            foreach (var e in batch.Events)
            {
                Assert.Equal(batch.Tenant, e.Tenant);
                var key = $"{e.Tenant}/{e.Id}";
                if (e.Duplicate)
                {
                    resends++;
                    Assert.Equal(seen[key].Json, e.Json);
                }
                else
                {
                    Assert.True(seen.TryAdd(key, e), $"{key} sent twice without being marked a re-send");
                }
            }
        }

        Assert.True(resends > 0);
    }

    [Fact]
    public void Next_Times_LieInTheHourBeforeTheRunOrOneToTwoDaysBack()
    {
        var generator = new EventGenerator(LoadProfile.Small, 11, RunStart);
        foreach (var e in Enumerable.Range(0, 200).SelectMany(_ => generator.Next().Events))
        {
            var (from, to) = e.Late ? (RunStart.AddDays(-2), RunStart.AddDays(-1)) : (RunStart.AddHours(-1), RunStart);
            Assert.InRange(e.Time, from, to);
        }
    }
}
