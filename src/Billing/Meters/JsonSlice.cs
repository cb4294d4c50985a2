using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tally.Billing.Meters;

/// <summary>One JSON value inside a larger UTF-8 document, by position: what <see cref="JsonPath"/> selects without a DOM.</summary>
public readonly record struct JsonSlice(int Start, int Length)
{
    /// <summary>What kind of value the slice of <paramref name="json"/> holds.</summary>
    public JsonValueKind Kind(ReadOnlySpan<byte> json) => Length == 0 ? JsonValueKind.Undefined : json[Start] switch
    {
        (byte)'{' => JsonValueKind.Object,
        (byte)'[' => JsonValueKind.Array,
        (byte)'"' => JsonValueKind.String,
        (byte)'t' => JsonValueKind.True,
        (byte)'f' => JsonValueKind.False,
        (byte)'n' => JsonValueKind.Null,
        _ => JsonValueKind.Number,
    };

    /// <summary>The text a value compares by: strings unescaped, other scalars as written; null for objects, arrays and null.</summary>
    public string? ScalarText(ReadOnlySpan<byte> json)
    {
        var raw = json.Slice(Start, Length);
        switch (Kind(json))
        {
            case JsonValueKind.String:
                var reader = new Utf8JsonReader(raw);
                reader.Read();
                return reader.GetString();
            case JsonValueKind.Number:
            case JsonValueKind.True:
            case JsonValueKind.False:
                return Encoding.UTF8.GetString(raw);
            default:
                return null;
        }
    }

    /// <summary>A number, or a string holding one, within decimal's range (what billing can price).</summary>
    public bool TryNumber(ReadOnlySpan<byte> json, out decimal number)
    {
        number = 0;
        var kind = Kind(json);
        if (kind == JsonValueKind.Number)
        {
            return decimal.TryParse(json.Slice(Start, Length), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        }

        return kind == JsonValueKind.String
            && decimal.TryParse(ScalarText(json), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }
}
