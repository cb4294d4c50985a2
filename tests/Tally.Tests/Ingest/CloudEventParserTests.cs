using System.Text;
using System.Text.Json;
using Tally.Billing.Events;

namespace Tally.Tests.Ingest;

public sealed class CloudEventParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 30, 0, TimeSpan.Zero);

    private static CloudEventBatch Parse(string json, bool? batch) => CloudEventParser.Parse(Encoding.UTF8.GetBytes(json), batch, Now);

    [Fact]
    public void Parse_SingleValidEvent_NormalizesToUtcWithData()
    {
        var result = Parse("""{"specversion":"1.0","id":"e1","source":"api","type":"prompt","subject":"cust-1","time":"2026-11-25T12:00:00+02:00","data":{"tokens":42}}""", batch: false);

        Assert.True(result.IsValid);
        var ev = Assert.Single(result.Events);
        Assert.Equal(("e1", "api", "prompt", "cust-1"), (ev.Id, ev.Source, ev.Type, ev.Subject));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero), ev.Time);
        Assert.Equal(
            """{"specversion":"1.0","id":"e1","source":"api","type":"prompt","subject":"cust-1","time":"2026-11-25T10:00:00Z","tallyingested":"2026-11-25T10:30:00Z","data":{"tokens":42}}""",
            Encoding.UTF8.GetString(ev.Json.Span));
    }

    [Fact]
    public void Parse_EventWithoutTime_UsesArrivalTime()
    {
        var result = Parse("""{"specversion":"1.0","id":"e1","source":"api","type":"prompt","subject":"c"}""", batch: false);

        Assert.Equal(Now, Assert.Single(result.Events).Time);
    }

    [Fact]
    public void Parse_BatchWithOneInvalidEvent_RefusesWholeBatchNamingTheField()
    {
        var result = Parse("""
            [{"specversion":"1.0","id":"e1","source":"api","type":"prompt","subject":"c"},
             {"specversion":"1.0","id":"e2","source":"api","type":"prompt"}]
            """, batch: true);

        Assert.False(result.IsValid);
        Assert.Empty(result.Events);
        var error = Assert.Single(result.Errors);
        Assert.Equal("[1].subject", error.Field);
        Assert.Contains("required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"specversion":"0.3","id":"e","source":"s","type":"t","subject":"c"}""", "specversion")]
    [InlineData("""{"specversion":"1.0","id":"","source":"s","type":"t","subject":"c"}""", "id")]
    [InlineData("""{"specversion":"1.0","id":"e","source":"s","type":7,"subject":"c"}""", "type")]
    [InlineData("""{"specversion":"1.0","id":"e","source":"s","type":"t","subject":"c","time":"yesterday"}""", "time")]
    [InlineData("""{"specversion":"1.0","id":"e","source":"s","type":"t","subject":"c","data":[1,2]}""", "data")]
    [InlineData("""{"specversion":"1.0","id":"e","source":"s","type":"t","subject":"c","data_base64":"AA=="}""", "data_base64")]
    public void Parse_InvalidAttribute_NamesIt(string json, string field)
    {
        var result = Parse(json, batch: false);

        Assert.Equal(field, Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void Parse_MalformedJson_IsABodyError()
    {
        var result = Parse("{\"specversion\":", batch: null);

        Assert.Equal("body", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void Parse_ArrayForSingleEventContentType_IsRefused()
    {
        var result = Parse("[]", batch: false);

        Assert.Equal("body", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void Parse_EmptyBatch_IsRefused()
    {
        Assert.Contains("empty batch", Assert.Single(Parse("[]", batch: true).Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PlainJsonArray_AcceptsBatch()
    {
        var result = Parse("""[{"specversion":"1.0","id":"a","source":"s","type":"t","subject":"c"},{"specversion":"1.0","id":"b","source":"s","type":"t","subject":"d"}]""", batch: null);

        Assert.Equal(["a", "b"], result.Events.Select(e => e.Id));
        Assert.Equal(["c", "d"], result.Events.Select(e => e.Subject));
        using var doc = JsonDocument.Parse(result.Events[1].Json);
        Assert.False(doc.RootElement.TryGetProperty("data", out _));
    }
}
