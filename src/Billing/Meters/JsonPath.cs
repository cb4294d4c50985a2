using System.Text.Json;

namespace Tally.Billing.Meters;

/// <summary>
/// The JSONPath subset meters use to point into an event's <c>data</c>: <c>$.a.b</c>,
/// <c>$['a b']</c> and <c>$.items[0]</c>. Anything else is refused when the meter is defined.
/// </summary>
public sealed class JsonPath
{
    private readonly object[] _steps;

    private JsonPath(string text, object[] steps)
    {
        Text = text;
        _steps = steps;
    }

    public string Text { get; }

    /// <summary>
    /// The same path in one canonical JSONPath spelling (<c>$.a.b</c>, <c>$["a b"]</c>, <c>$.items[0]</c>), the
    /// form SQL/JSON functions such as ClickHouse's <c>JSON_VALUE</c> take.
    /// </summary>
    public string Canonical => "$" + string.Concat(_steps.Select(step => step switch
    {
        int index => $"[{index}]",
        string name when IsIdentifier(name) => "." + name,
        string name => "[\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"]",
        _ => throw new InvalidOperationException(),
    }));

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what to write instead.</summary>
    public static bool TryParse(string? text, out JsonPath path, out string error)
    {
        path = null!;
        error = "";
        if (string.IsNullOrWhiteSpace(text) || !text.StartsWith('$'))
        {
            error = "must be a JSONPath starting with '$', such as $.tokens";
            return false;
        }

        if (text.Length > Limits.JsonPath || Limits.HasControlCharacters(text))
        {
            error = $"must be at most {Limits.JsonPath} printable characters";
            return false;
        }

        var steps = new List<object>();
        var i = 1;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                var start = ++i;
                while (i < text.Length && text[i] != '.' && text[i] != '[')
                {
                    i++;
                }

                if (i == start)
                {
                    error = $"has an empty property name at position {start}";
                    return false;
                }

                steps.Add(text[start..i]);
            }
            else if (text[i] == '[' && i + 1 < text.Length && text[i + 1] is '\'' or '"')
            {
                var quote = text[i + 1];
                var end = text.IndexOf(quote, i + 2);
                if (end < 0 || end + 1 >= text.Length || text[end + 1] != ']')
                {
                    error = $"has an unterminated ['name'] at position {i}";
                    return false;
                }

                steps.Add(text[(i + 2)..end]);
                i = end + 2;
            }
            else if (text[i] == '[')
            {
                var end = text.IndexOf(']', i);
                if (end < 0 || !int.TryParse(text.AsSpan(i + 1, end - i - 1), out var index) || index < 0)
                {
                    error = $"has an invalid array index at position {i}; use [0], [1], ...";
                    return false;
                }

                steps.Add(index);
                i = end + 1;
            }
            else
            {
                error = $"has an unexpected '{text[i]}' at position {i}; use $.name, $['name'] or $.list[0]";
                return false;
            }
        }

        if (steps.Count == 0)
        {
            error = "must name a property, such as $.tokens";
            return false;
        }

        path = new JsonPath(text, [.. steps]);
        return true;
    }

    public static JsonPath Parse(string text) =>
        TryParse(text, out var path, out var error) ? path : throw new FormatException($"'{text}' {error}.");

    /// <summary>Follows the path from <paramref name="root"/>; false if any step is missing.</summary>
    public bool TrySelect(JsonElement root, out JsonElement value)
    {
        value = root;
        foreach (var step in _steps)
        {
            if (step is string name)
            {
                if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value))
                {
                    return false;
                }
            }
            else
            {
                var index = (int)step;
                if (value.ValueKind != JsonValueKind.Array || index >= value.GetArrayLength())
                {
                    return false;
                }

                value = value[index];
            }
        }

        return true;
    }

    /// <summary>
    /// Follows the path through the UTF-8 JSON <paramref name="json"/> without building a DOM; false if any
    /// step is missing. Of repeated property names the last counts, as with <see cref="JsonElement"/>.
    /// </summary>
    public bool TrySelect(ReadOnlySpan<byte> json, out JsonSlice value)
    {
        value = new JsonSlice(0, json.Length);
        foreach (var step in _steps)
        {
            var at = value.Start;
            var reader = new Utf8JsonReader(json.Slice(value.Start, value.Length));
            if (!reader.Read())
            {
                return false;
            }

            var found = false;
            if (step is string name)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var match = reader.ValueTextEquals(name);
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    if (match)
                    {
                        (found, value) = (true, new JsonSlice(at + start, (int)reader.BytesConsumed - start));
                    }
                }
            }
            else
            {
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return false;
                }

                var index = (int)step;
                for (var i = 0; !found && reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    if (i == index)
                    {
                        (found, value) = (true, new JsonSlice(at + start, (int)reader.BytesConsumed - start));
                    }
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => Text;

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
