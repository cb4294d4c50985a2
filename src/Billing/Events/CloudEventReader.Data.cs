using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace Tally.Billing.Events;

internal sealed partial class CloudEventReader
{
    /// <summary>
    /// Reads <c>data</c>: a JSON object whose numbers fit a double and whose text is valid. Its bytes are
    /// copied as they are when they are already canonical (no whitespace, nothing to re-escape), which
    /// the token walk tells by adding up token lengths and separators; otherwise rewritten at the end.
    /// </summary>
    private void ReadData(ref Utf8JsonReader reader)
    {
        _event.MarkSeen(Attribute.Data);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            EventError(Attribute.Data, "data", $"must be a JSON object, not {Kind(reader.TokenType)}.");
            SkipValue(ref reader);
            return;
        }

        var start = (int)reader.TokenStartIndex;
        var depth = reader.CurrentDepth;
        long tokenBytes = 1;
        int items = 0, separators = 0, containers = 1, empty = 0;
        var verbatim = true;
        long problemAt = -1;
        string? problem = null;
        var previous = JsonTokenType.StartObject;
        while (reader.Read())
        {
            var token = reader.TokenType;
            switch (token)
            {
                case JsonTokenType.PropertyName:
                case JsonTokenType.String:
                    var raw = reader.ValueSpan;
                    tokenBytes += raw.Length + 2;
                    if (token == JsonTokenType.PropertyName)
                    {
                        separators++;
                    }
                    else
                    {
                        items++;
                    }

                    if (reader.ValueIsEscaped)
                    {
                        verbatim = false;
                        if (problem is null && !TryGetString(ref reader, out _))
                        {
                            (problem, problemAt) = (InvalidEscape, reader.TokenStartIndex);
                        }
                    }
                    else if (verbatim && !JsonText.IsVerbatim(raw))
                    {
                        verbatim = false;
                    }

                    if (_checkUtf8 && problem is null && !Utf8.IsValid(raw))
                    {
                        (problem, problemAt) = ("is not valid UTF-8; send text encoded as UTF-8.", reader.TokenStartIndex);
                    }

                    break;
                case JsonTokenType.Number:
                    items++;
                    tokenBytes += reader.ValueSpan.Length;
                    if (problem is null && !FitsDouble(reader.ValueSpan))
                    {
                        (problem, problemAt) = ($"is the number {Truncate(reader.ValueSpan)}, beyond what a double holds; send a smaller number.", reader.TokenStartIndex);
                    }

                    break;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    items++;
                    containers++;
                    tokenBytes++;
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    tokenBytes++;
                    if (previous is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        empty++;
                    }

                    break;
                default:
                    items++;
                    tokenBytes += reader.ValueSpan.Length;
                    break;
            }

            if (reader.CurrentDepth == depth)
            {
                break;
            }

            previous = token;
        }

        if (problem is not null)
        {
            var json = _json.Span[start..(int)reader.BytesConsumed];
            EventError(Attribute.Data, "data" + PathTo(json, (int)problemAt - start), problem);
            return;
        }

        var length = (int)reader.BytesConsumed - start;
        var minified = tokenBytes + separators + items - (containers - empty);
        _event.DataStart = start;
        _event.DataLength = length;
        _event.DataCanonical = verbatim && length == minified;
        _event.HasData = true;
    }

    /// <summary>Whether a JSON number is finite as a double (<c>1e999</c> is not); cheap unless it has an exponent or 300+ digits.</summary>
    private static bool FitsDouble(ReadOnlySpan<byte> number) =>
        (number.Length <= 300 && !number.ContainsAny((byte)'e', (byte)'E'))
        || (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value));

    /// <summary>
    /// The JSONPath-like suffix (<c>.a.b[2]</c>) of the token starting at <paramref name="offset"/> in the
    /// object <paramref name="json"/>: only computed for an error, so it walks again.
    /// </summary>
    internal static string PathTo(ReadOnlySpan<byte> json, int offset)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = Limits.JsonDepth + 1 });
        var frames = new List<(bool Array, int Index, string Name)>();
        while (reader.Read())
        {
            var token = reader.TokenType;
            var at = reader.TokenStartIndex >= offset;
            if (frames.Count > 0 && frames[^1].Array && token is not (JsonTokenType.EndArray or JsonTokenType.EndObject))
            {
                frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
            }

            if (at)
            {
                // A name that is itself the problem cannot be named: the path stops at its object.
                if (token == JsonTokenType.PropertyName)
                {
                    frames[^1] = frames[^1] with { Name = "" };
                }

                break;
            }

            switch (token)
            {
                case JsonTokenType.PropertyName:
                    frames[^1] = frames[^1] with { Name = Member(reader.ValueSpan) };
                    break;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    frames.Add((token == JsonTokenType.StartArray, -1, ""));
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    frames.RemoveAt(frames.Count - 1);
                    break;
            }
        }

        return string.Concat(frames.Select(f => f.Array ? $"[{f.Index}]" : f.Name));
    }

    private static string Member(ReadOnlySpan<byte> raw)
    {
        var name = Truncate(raw);
        var plain = name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        return plain ? "." + name : $"[\"{name.Replace("\"", "\\\"", StringComparison.Ordinal)}\"]";
    }
}
