using System.Text;
using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Events;
using Tally.Billing.Meters;

namespace Tally.Tests.Meters;

/// <summary>The ingest rule that refuses events a meter of their type cannot measure, and the DOM-free JSONPath it uses.</summary>
public sealed class MeasurabilityCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 30, 0, TimeSpan.Zero);

    private static readonly MeterCatalog Catalog = new(
    [
        Meter("tokens", "prompt", MeterAggregation.Sum, "$.tokens"),
        Meter("prompts", "prompt", MeterAggregation.Count, null),
        Meter("users", "login", MeterAggregation.UniqueCount, "$.user"),
        Meter("nested", "call", MeterAggregation.Max, "$['usage']['in put']"),
        Meter("paid", "job", MeterAggregation.Sum, "$.seconds") with { DataFilter = [new DataCondition("$.plan", DataOperator.Eq, ["paid"])] },
    ]);

    private static MeterDefinition Meter(string slug, string type, MeterAggregation aggregation, string? valueProperty) =>
        new("tnt_a", "m_" + slug, slug, null, type, aggregation, valueProperty, new Dictionary<string, string>(), Now);

    private static IReadOnlyList<FieldError> Check(string type, string data, bool indexed = true)
    {
        var json = $$"""[{"specversion":"1.0","id":"e","source":"s","type":"{{type}}","subject":"c"{{(data.Length == 0 ? "" : ",\"data\":" + data)}}}]""";
        var batch = CloudEventParser.Parse(Encoding.UTF8.GetBytes(json), true, Now);
        Assert.True(batch.IsValid, string.Join("; ", batch.Errors));
        return MeasurabilityCheck.Refusals(batch.Events, Catalog, "tnt_a", indexed);
    }

    [Theory]
    [InlineData("""{"tokens":"abc"}""", "value property \"$.tokens\" is the string \"abc\"; it must be a number or a numeric string")]
    [InlineData("""{"tokens":"NaN"}""", "value property \"$.tokens\" is the string \"NaN\"; it must be a number or a numeric string")]
    [InlineData("""{"tokens":true}""", "value property \"$.tokens\" is the boolean true; it must be a number or a numeric string")]
    [InlineData("""{"tokens":null}""", "missing value property: \"$.tokens\"")]
    [InlineData("""{"model":"x"}""", "missing value property: \"$.tokens\"")]
    [InlineData("", "missing value property: \"$.tokens\"")]
    [InlineData("""{"tokens":1e30}""", "value property \"$.tokens\" is the number 1e30, outside the range Tally can bill; it must be a number or a numeric string")]
    [InlineData("""{"tokens":{"n":1}}""", "value property \"$.tokens\" is a JSON object; it must be a number or a numeric string")]
    public void Refusals_ValueTheMeterCannotMeasure_NamesIndexPathAndMeter(string data, string reason)
    {
        Assert.Equal([new FieldError("[0].data.tokens", $"cannot be measured by meter 'tokens': {reason}; fix the event or the meter.")], Check("prompt", data));
    }

    [Theory]
    [InlineData("prompt", """{"tokens":12}""")]
    [InlineData("prompt", """{"tokens":"12.5"}""")]
    [InlineData("prompt", """{"tokens":"1e3"}""")]
    [InlineData("unmetered", """{"anything":"goes"}""")]
    [InlineData("unmetered", "")]
    [InlineData("login", """{"user":"ann"}""")]
    [InlineData("call", """{"usage":{"in put":3}}""")]
    [InlineData("job", """{"plan":"free","seconds":"n/a"}""")]
    [InlineData("job", """{"plan":"paid","seconds":4}""")]
    public void Refusals_MeasurableUnknownOrFilteredOut_AcceptsIt(string type, string data)
    {
        Assert.Empty(Check(type, data));
    }

    [Fact]
    public void Refusals_UniqueCountOfAnArrayAndQuotedPath_NameTheirPaths()
    {
        Assert.Equal("[0].data.user", Assert.Single(Check("login", """{"user":[1]}""")).Field);
        Assert.Equal("data.usage[\"in put\"]", Assert.Single(Check("call", """{"usage":{"in put":"x"}}""", indexed: false)).Field);
    }

    [Fact]
    public void TryMeasure_ElementAndBytes_AgreeOnEveryCase()
    {
        var meter = Catalog.For("tnt_a", "prompt")[0];
        foreach (var data in new[] { """{"tokens":"abc"}""", """{"tokens":3}""", """{"tokens":true}""", "{}", """{"tokens":1e30}""" })
        {
            using var document = JsonDocument.Parse(data);
            var fromElement = meter.TryMeasure(document.RootElement, Now, out var skippedA, out var errorA);
            var fromBytes = meter.TryMeasure(Encoding.UTF8.GetBytes(data), Now, out var skippedB, out var errorB);
            Assert.Equal((fromElement, skippedA, errorA), (fromBytes, skippedB, errorB));
        }
    }

    [Theory]
    [InlineData("$.tokens", "12")]
    [InlineData("$['usage']['in put']", "3")]
    [InlineData("$.usage.items[1].n", "7")]
    [InlineData("$.dup", "2")]
    public void TrySelectBytes_SupportedPath_FindsTheSameValueAsTheElement(string path, string expected)
    {
        var json = """{"tokens":12,"dup":1,"usage":{"in put":3,"items":[{"n":5},{"n":7}]},"dup":2}"""u8;

        Assert.True(JsonPath.Parse(path).TrySelect(json, out var value));
        Assert.Equal(expected, Encoding.UTF8.GetString(json.Slice(value.Start, value.Length)));
    }

    [Theory]
    [InlineData("$.missing")]
    [InlineData("$.usage.items[2]")]
    [InlineData("$.tokens.deeper")]
    public void TrySelectBytes_MissingStep_ReturnsFalse(string path)
    {
        Assert.False(JsonPath.Parse(path).TrySelect("""{"tokens":12,"usage":{"items":[1,2]}}"""u8, out _));
    }
}
