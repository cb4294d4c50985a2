using System.Text;
using Tally.Billing.Usage;

namespace Tally.Tests.Rating;

/// <summary>The delta record's codec: what the aggregator writes, the rating stage reads back exactly.</summary>
public sealed class UsageDeltaTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 3, 10, 15, 30, 250, TimeSpan.Zero);

    [Fact]
    public void TryDecode_EncodedDelta_GivesBackEveryFieldExactly()
    {
        var delta = new UsageDelta("t-1", "acme \"eu\"", 3,
        [
            new(17, "prompt", At, "svc/a", "e-1", """{"tokens":1200,"model":"gpt \u00e9"}"""),
            new(18, "prompt", At.AddSeconds(1), "svc/a", "e-2", ""),
            new(21, "ping", At.AddSeconds(2), "svc/b", "e-3", "\"text\""),
        ]);

        Assert.True(UsageDelta.TryDecode(delta.Encode(), out var decoded));

        Assert.Equal(("t-1", "acme \"eu\"", 3), (decoded!.TenantId, decoded.Subject, decoded.Partition));
        Assert.Equal(delta.Events, decoded.Events);
    }

    [Fact]
    public void TryDecode_PropertiesInAnyOrderAndUnknownOnes_ReadsTheKnownOnes()
    {
        var json = """{"events":[{"data":{"n":[1,{"x":2}]},"extra":{"a":[1]},"id":"e","source":"s","time":1000,"type":"t","position":5}],"version":2,"partition":1,"subject":"s1","tenant":"t"}""";

        Assert.True(UsageDelta.TryDecode(Encoding.UTF8.GetBytes(json), out var decoded));

        Assert.Equal(new DeltaEvent(5, "t", DateTimeOffset.FromUnixTimeMilliseconds(1000), "s", "e", """{"n":[1,{"x":2}]}"""), Assert.Single(decoded!.Events));
        Assert.Equal(("t", "s1", 1), (decoded.TenantId, decoded.Subject, decoded.Partition));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"tenant":"t","subject":"s","partition":0}""")]
    [InlineData("""{"tenant":"t","subject":"s","partition":0,"events":[{"position":1,"type":"t","time":1,"source":"s","data":null}]}""")]
    [InlineData("""{"tenant":"t","subject":"s","partition":"0","events":[]}""")]
    [InlineData("""{"tenant":"t","subject":"s","partition":0,"events":[{"position":1,"type":"t","time":1,"source":"s","id":"e","data":{"a":1}""")]
    public void TryDecode_RecordThisVersionCannotRead_IsFalse(string json)
    {
        Assert.False(UsageDelta.TryDecode(Encoding.UTF8.GetBytes(json), out var decoded));
        Assert.Null(decoded);
    }
}
