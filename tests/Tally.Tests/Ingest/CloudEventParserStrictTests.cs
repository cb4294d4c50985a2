using System.Buffers;
using System.Text;
using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Events;

namespace Tally.Tests.Ingest;

/// <summary>
/// The single-pass parser against what clients get wrong: bytes that are not UTF-8, numbers past a
/// double, nesting, duplicates, times in the future, truncation; and its normalized output, which must
/// be exactly what a <c>Utf8JsonWriter</c> makes of the event however the client spelled it.
/// </summary>
public sealed class CloudEventParserStrictTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 30, 0, TimeSpan.Zero);

    private static CloudEventBatch Parse(string json, bool? batch = true) => CloudEventParser.Parse(Encoding.UTF8.GetBytes(json), batch, Now);

    private static string Event(string id = "e1", string time = "2026-11-25T10:00:00Z", string data = """{"tokens":1}""", string extra = "") =>
        $$"""{"specversion":"1.0","id":"{{id}}","source":"s","type":"prompt","subject":"c1","time":"{{time}}"{{extra}},"data":{{data}}}""";

    private static FieldError SingleError(CloudEventBatch batch)
    {
        Assert.Empty(batch.Events);
        return Assert.Single(batch.Errors);
    }

    [Fact]
    public void Parse_InvalidUtf8InSubjectOfSecondEvent_NamesIndexAndField()
    {
        var body = Encoding.UTF8.GetBytes($"[{Event()},{Event(id: "e2")}]");
        var second = Encoding.UTF8.GetString(body).LastIndexOf("\"c1\"", StringComparison.Ordinal) + 1;
        body[second] = 0xFF;

        var error = SingleError(CloudEventParser.Parse(body, true, Now));

        Assert.Equal(new FieldError("[1].subject", "is not valid UTF-8; send text encoded as UTF-8."), error);
    }

    [Fact]
    public void Parse_InvalidUtf8InNestedData_NamesThePath()
    {
        var body = Encoding.UTF8.GetBytes($"[{Event(data: """{"model":{"name":"gpt-Q"}}""")}]");
        body[Array.LastIndexOf(body, (byte)'Q')] = 0xC3;

        Assert.Equal(new FieldError("[0].data.model.name", "is not valid UTF-8; send text encoded as UTF-8."), SingleError(CloudEventParser.Parse(body, true, Now)));
    }

    [Theory]
    [InlineData("""{"tokens":1e999}""", "[0].data.tokens", "1e999")]
    [InlineData("""{"a":[1,2,{"b":-1E400}]}""", "[0].data.a[2].b", "-1E400")]
    public void Parse_NumberBeyondDouble_NamesThePath(string data, string field, string number)
    {
        Assert.Equal(new FieldError(field, $"is the number {number}, beyond what a double holds; send a smaller number."), SingleError(Parse($"[{Event(data: data)}]")));
    }

    [Theory]
    [InlineData("""{"tokens":NaN}""")]
    [InlineData("""{"tokens":Infinity}""")]
    [InlineData("""{"tokens":-Infinity}""")]
    public void Parse_NonJsonNumberLiteral_IsInvalidJsonNamingTheEventsData(string data)
    {
        var error = SingleError(Parse($"[{Event()},{Event(data: data)}]"));

        Assert.Equal("[1].data", error.Field);
        Assert.StartsWith("is not valid JSON (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DataNestedPastTheDepthLimit_NamesTheData()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40);

        Assert.Equal(new FieldError("[0].data", $"nests JSON deeper than {Limits.JsonDepth} levels; send flatter data."), SingleError(Parse($"[{Event(data: deep)}]")));
    }

    [Fact]
    public void Parse_TimeBeyondTheFutureSkew_IsRefusedAndOldTimesAreKept()
    {
        var batch = Parse($"[{Event(time: "2026-11-25T10:35:00Z")},{Event(id: "e2", time: "2026-11-25T10:35:01Z")},{Event(id: "e3", time: "2999-01-01T00:00:00Z")}]");

        Assert.Equal(
            [
                new FieldError("[1].time", "is 2026-11-25T10:35:01Z, more than 5 minutes after the time of arrival (2026-11-25T10:30:00Z); send each event with the time it happened."),
                new FieldError("[2].time", "is 2999-01-01T00:00:00Z; usage events must be dated between 1970-01-01T00:00:00Z and 2099-12-31T23:59:59Z."),
            ],
            batch.Errors);
        Assert.Equal(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero), Assert.Single(Parse($"[{Event(time: "2001-01-01T00:00:00Z")}]").Events).Time);
    }

    [Fact]
    public void Parse_ConfiguredSkew_AppliesIt()
    {
        var result = CloudEventParser.Parse(Encoding.UTF8.GetBytes($"[{Event(time: "2026-11-25T10:31:00Z")}]"), true, Now, new CloudEventRules(TimeSpan.FromSeconds(30)));

        Assert.Equal("is 2026-11-25T10:31:00Z, more than 30 seconds after the time of arrival (2026-11-25T10:30:00Z); send each event with the time it happened.", SingleError(result).Message);
    }

    [Fact]
    public void Parse_AttributeTwice_IsRefused()
    {
        Assert.Equal(new FieldError("[0].id", "appears more than once in the event; send each attribute once."), SingleError(Parse($"[{Event(extra: ",\"id\":\"other\"")}]")));
    }

    [Fact]
    public void Parse_UnpairedSurrogateEscapeInId_IsRefused()
    {
        Assert.Equal("[0].id", SingleError(Parse($"[{Event(id: "a\\ud800b")}]")).Field);
    }

    [Fact]
    public void Parse_HugeExtensionAttribute_IsRefusedNamingIt()
    {
        Assert.Equal(new FieldError("[0].traceparent", "is larger than 64 KiB; CloudEvents extension attributes are small."), SingleError(Parse($"[{Event(extra: $",\"traceparent\":\"{new string('x', 70_000)}\"")}]")));
    }

    [Fact]
    public void Parse_TruncatedBatch_SaysWhereItEnds()
    {
        Assert.Equal(new FieldError("body", "ends before the JSON is complete (inside [1].data); send the whole document."), SingleError(Parse($"[{Event()},{Event()[..^10]}")));
    }

    [Fact]
    public void Parse_MoreEventsThanAllowed_CountsThem()
    {
        var body = "[" + string.Join(',', Enumerable.Range(0, CloudEventParser.MaxBatchSize + 1).Select(i => Event(id: $"e{i}"))) + "]";

        Assert.Equal(new FieldError("body", "holds 10001 events; send at most 10000 per request."), SingleError(Parse(body)));
    }

    [Fact]
    public void Parse_EmptyOrWhitespaceBody_IsRefused()
    {
        Assert.Equal(new FieldError("body", "is empty; send a CloudEvent JSON object or an array of them."), SingleError(Parse(" \n", batch: null)));
    }

    [Fact]
    public void Parse_ErrorsInManyEvents_ListsAtMostTheCap()
    {
        var body = "[" + string.Join(',', Enumerable.Range(0, 500).Select(i => """{"specversion":"1.0"}""")) + "]";

        var errors = Parse(body).Errors;

        Assert.Equal(CloudEventParser.MaxErrors, errors.Count);
        Assert.Equal(new FieldError("[0].id", "is required; add a non-empty string."), errors[0]);
        Assert.Equal(new FieldError("body", "has more errors than the 99 listed; fix those and send it again."), errors[^1]);
    }

    [Theory]
    [InlineData("""{"specversion":"1.0","id":"e1","source":"s","type":"t","subject":"c","time":"2026-11-25T10:00:00Z","data":{"tokens":42,"model":"gpt"}}""")]
    [InlineData("""{ "data" : { "tokens" : 42 , "model" : "a b" , "list" : [ 1 , 2.50 , true , null , { } , [ ] ] } , "specversion" : "1.0" , "id" : "e1" , "source" : "s" , "type" : "t" , "subject" : "c" }""")]
    [InlineData("""{"specversion":"1.0","id":"\u0065\u0031","source":"caf\u00e9","type":"a+b<c>","subject":"ü","data":{"t\u00f6k":"\u00fc\"\\x","m":"<&'`>","e":"\ud83d\ude00"}}""")]
    [InlineData("""{"specversion":"1.0","id":"日本","source":"s","type":"t","subject":"c","time":"2026-11-25T12:00:00.1234567+02:00","datacontenttype":"application/json","traceparent":"00-x","data":{}}""")]
    [InlineData("""{"specversion":"1.0","id":"e","source":"s","type":"t","subject":"c","time":null,"data":null}""")]
    public void Parse_AnySpelling_NormalizesAsUtf8JsonWriterWouldWriteIt(string json)
    {
        var ev = Assert.Single(CloudEventParser.Parse(Encoding.UTF8.GetBytes(json), null, Now).Events);

        Assert.Equal(Reference(json), Encoding.UTF8.GetString(ev.Json.Span));
        using var document = JsonDocument.Parse(ev.Json);
        Assert.Equal(
            document.RootElement.TryGetProperty("data", out var data) ? data.GetRawText() : "",
            Encoding.UTF8.GetString(ev.Data.Span));
    }

    [Fact]
    public void Parse_RepeatedSourceAndType_SharesStringsAndKeepsIds()
    {
        var batch = Parse($"[{Event(id: "a")},{Event(id: "b")}]");

        Assert.Same(batch.Events[0].Type, batch.Events[1].Type);
        Assert.Equal(["a", "b"], batch.Events.Select(e => e.Id));
    }

    /// <summary>The normalization the JsonDocument parser did, as the reference for the bytes.</summary>
    private static string Reference(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("specversion", "1.0");
            foreach (var name in new[] { "id", "source", "type", "subject" })
            {
                writer.WriteString(name, root.GetProperty(name).GetString());
            }

            var time = root.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.String ? DateTimeOffset.Parse(t.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : Now;
            writer.WriteString("time", time.UtcDateTime);
            writer.WriteString("tallyingested", Now.UtcDateTime);
            if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
            {
                writer.WritePropertyName("data");
                data.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
