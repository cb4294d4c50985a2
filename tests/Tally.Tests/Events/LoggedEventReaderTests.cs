using System.Text;
using Tally.Billing.Events;

namespace Tally.Tests.Events;

public sealed class LoggedEventReaderTests
{
    [Fact]
    public void TryRead_NormalizedEvent_ReadsEveryFieldAndTheRawData()
    {
        var json = """{"specversion":"1.0","id":"e1","source":"api","type":"prompt","subject":"c1","time":"2026-11-25T10:00:00.123Z","tallyingested":"2026-11-25T10:00:05Z","data":{"tokens":42,"nested":{"a":[1,2]}}}""";

        Assert.True(LoggedEventReader.TryRead("t1", Encoding.UTF8.GetBytes(json), out var read, out var reason));

        Assert.Equal("", reason);
        Assert.Equal(new EventIdentity("t1", "api", "e1"), read.Identity);
        Assert.Equal(("prompt", "c1"), (read.Type, read.Subject));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 0, 0, 123, TimeSpan.Zero), read.Time);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 0, 5, TimeSpan.Zero), read.IngestedAt);
        Assert.Equal("""{"tokens":42,"nested":{"a":[1,2]}}""", read.Data);
    }

    [Fact]
    public void TryRead_NoDataNoIngestedAt_DataEmptyAndIngestedIsTheEventTime()
    {
        Assert.True(LoggedEventReader.TryRead("t1", Encoding.UTF8.GetBytes("""{"id":"e1","source":"s","type":"t","subject":"c","time":"2026-11-25T10:00:00Z"}"""), out var read, out _));

        Assert.Equal(("", read.Time), (read.Data, read.IngestedAt));
    }

    [Theory]
    [InlineData("not json", "unreadable: ")]
    [InlineData("[1,2]", "unreadable: not a JSON object")]
    [InlineData("""{"id":"e1","source":"s","type":"t","time":"2026-11-25T10:00:00Z"}""", "unreadable: id, source, type and subject are required strings")]
    [InlineData("""{"id":1,"source":"s","type":"t","subject":"c","time":"2026-11-25T10:00:00Z"}""", "unreadable: id, source, type and subject are required strings")]
    [InlineData("""{"id":"e1","source":"s","type":"t","subject":"c","time":"1960-01-01T00:00:00Z"}""", "time '1960-01-01T00:00:00Z' is not an instant between 1970-01-01T00:00:00Z and 2099-12-31T23:59:59Z")]
    [InlineData("""{"id":"e1","source":"s","type":"t","subject":"c"}""", "time '' is not an instant between 1970-01-01T00:00:00Z and 2099-12-31T23:59:59Z")]
    public void TryRead_BadRecord_RefusesWithTheReason(string json, string reason)
    {
        Assert.False(LoggedEventReader.TryRead("t1", Encoding.UTF8.GetBytes(json), out _, out var actual));

        Assert.StartsWith(reason, actual, StringComparison.Ordinal);
    }
}
