using System.Text.Json;
using Tally.Billing.Meters;

namespace Tally.Tests.Aggregator;

public sealed class JsonPathTests
{
    private static readonly JsonElement Data = JsonDocument.Parse("""{"tokens":12,"usage":{"in put":3,"items":[{"n":5},{"n":7}]}}""").RootElement;

    [Theory]
    [InlineData("$.tokens", "12")]
    [InlineData("$['usage']['in put']", "3")]
    [InlineData("$.usage.items[1].n", "7")]
    public void TrySelect_SupportedPath_FindsValue(string path, string expected)
    {
        Assert.True(JsonPath.Parse(path).TrySelect(Data, out var value));
        Assert.Equal(expected, value.GetRawText());
    }

    [Theory]
    [InlineData("$.missing")]
    [InlineData("$.usage.items[2]")]
    [InlineData("$.tokens.deeper")]
    public void TrySelect_MissingStep_ReturnsFalse(string path)
    {
        Assert.False(JsonPath.Parse(path).TrySelect(Data, out _));
    }

    [Theory]
    [InlineData("tokens", "must be a JSONPath starting with '$'")]
    [InlineData("$", "must name a property")]
    [InlineData("$..tokens", "empty property name")]
    [InlineData("$.a[x]", "invalid array index")]
    [InlineData("$['a", "unterminated")]
    public void TryParse_Unsupported_ExplainsWhy(string path, string expected)
    {
        Assert.False(JsonPath.TryParse(path, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
