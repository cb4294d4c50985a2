using Tally.Aggregator;
using Tally.Billing.Events;

namespace Tally.Tests.Events;

public sealed class EventDeduplicationTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Deduplicate_SameIdentityTwiceInOneBatch_KeepsTheFirstAndSortsTheRest()
    {
        var first = Event("a", "c1", "{\"n\":1}");
        var resent = Event("a", "c1", "{\"n\":1}");
        var conflicting = Event("a", "c2", "{\"n\":2}");
        var other = Event("b", "c1", "{\"n\":1}");

        var judged = EventDeduplication.Deduplicate([first, resent, other, conflicting], new Dictionary<UInt128, ulong>());

        Assert.Equal([first, other], judged.New);
        Assert.Equal([resent], judged.Resent);
        Assert.Equal([conflicting], judged.Conflicting);
    }

    [Fact]
    public void Deduplicate_IdentityAlreadyStored_IsResentOrConflictingByPayload()
    {
        var stored = Event("a", "c1", "{\"n\":1}");
        var known = new Dictionary<UInt128, ulong> { [stored.IdentityDigest] = stored.PayloadDigest };
        var again = Event("a", "c1", "{\"n\":1}");
        var changed = Event("a", "c1", "{\"n\":9}");

        var judged = EventDeduplication.Deduplicate([again, changed], known);

        Assert.Empty(judged.New);
        Assert.Equal([again], judged.Resent);
        Assert.Equal([changed], judged.Conflicting);
    }

    [Fact]
    public void Digests_SameIdentityOtherTenantOrSource_Differ()
    {
        var identities = new[]
        {
            new EventIdentity("t1", "s", "id"),
            new EventIdentity("t2", "s", "id"),
            new EventIdentity("t1", "s2", "id"),
            new EventIdentity("t1", "s", "id2"),
            new EventIdentity("t1", "s:", "id"),
            new EventIdentity("t1", "s", ":id"),
        };

        Assert.Equal(identities.Length, identities.Select(EventDigests.Identity).Distinct().Count());
        Assert.Equal(EventDigests.Identity(new EventIdentity("t1", "s", "id")), EventDigests.Identity(new EventIdentity("t1", "s", "id")));
    }

    [Fact]
    public void PayloadDigest_AnyFieldChanged_Differs()
    {
        var baseline = Event("a", "c1", "{\"n\":1}");
        var variants = new[]
        {
            baseline with { Type = "other" },
            baseline with { Subject = "c2" },
            baseline with { Time = At.AddMilliseconds(1) },
            baseline with { Data = "{\"n\":2}" },
        };

        Assert.All(variants, variant => Assert.NotEqual(EventDigests.Payload(baseline), EventDigests.Payload(variant)));
        Assert.Equal(EventDigests.Payload(baseline), EventDigests.Payload(baseline with { IngestedAt = At.AddDays(1), Position = 99 }));
    }

    private static StoredEvent Event(string id, string subject, string data)
    {
        var stored = new StoredEvent(new EventIdentity("t1", "src", id), "prompt", subject, At, data, At);
        return stored with { IdentityDigest = EventDigests.Identity(stored.Identity), PayloadDigest = EventDigests.Payload(stored) };
    }
}
