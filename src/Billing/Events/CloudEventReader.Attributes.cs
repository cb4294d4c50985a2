using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Tally.Billing.Events;

internal sealed partial class CloudEventReader
{
    private const string SubjectHint = " (the customer or subject the usage belongs to)";

    /// <summary>The attributes Tally reads, in the order their errors are listed.</summary>
    private enum Attribute
    {
        SpecVersion,
        Id,
        Source,
        Type,
        Subject,
        Time,
        DataBase64,
        DataContentType,
        Data,
        Extension,
    }

    private static Attribute Classify(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 when name.SequenceEqual("id"u8) => Attribute.Id,
        4 when name.SequenceEqual("type"u8) => Attribute.Type,
        4 when name.SequenceEqual("time"u8) => Attribute.Time,
        4 when name.SequenceEqual("data"u8) => Attribute.Data,
        6 when name.SequenceEqual("source"u8) => Attribute.Source,
        7 when name.SequenceEqual("subject"u8) => Attribute.Subject,
        11 when name.SequenceEqual("specversion"u8) => Attribute.SpecVersion,
        11 when name.SequenceEqual("data_base64"u8) => Attribute.DataBase64,
        15 when name.SequenceEqual("datacontenttype"u8) => Attribute.DataContentType,
        _ => Attribute.Extension,
    };

    private static readonly string[] Names = ["specversion", "id", "source", "type", "subject", "time", "data_base64", "datacontenttype", "data"];

    private Attribute Classify(ref Utf8JsonReader reader, out string? name)
    {
        var raw = reader.ValueSpan;
        if (_checkUtf8 && !Utf8.IsValid(raw))
        {
            name = "(a name that is not UTF-8)";
            EventError(Attribute.Extension, name, "is not valid UTF-8; send JSON text encoded as UTF-8.");
            return Attribute.Extension;
        }

        var attribute = !reader.ValueIsEscaped ? Classify(raw) : ClassifyEscaped(ref reader);
        name = attribute == Attribute.Extension ? Truncate(raw) : Names[(int)attribute];
        return attribute;
    }

    private static Attribute ClassifyEscaped(ref Utf8JsonReader reader)
    {
        Span<byte> unescaped = stackalloc byte[32];
        return reader.ValueSpan.Length <= unescaped.Length ? Classify(unescaped[..reader.CopyString(unescaped)]) : Attribute.Extension;
    }

    private void ReadAttribute(ref Utf8JsonReader reader, Attribute attribute)
    {
        if (attribute == Attribute.Extension)
        {
            ReadExtension(ref reader);
            return;
        }

        var name = Names[(int)attribute];
        if (_event.Seen(attribute))
        {
            EventError(attribute, name, "appears more than once in the event; send each attribute once.");
            SkipValue(ref reader);
            return;
        }

        _event.MarkSeen(attribute);
        switch (attribute)
        {
            case Attribute.Time:
                ReadTime(ref reader);
                break;
            case Attribute.Data:
                ReadData(ref reader);
                break;
            case Attribute.DataBase64:
                EventError(attribute, name, "is not supported for usage events; send the payload as a JSON object in data.");
                SkipValue(ref reader);
                break;
            case Attribute.DataContentType:
                ReadDataContentType(ref reader);
                break;
            default:
                ReadIdentifier(ref reader, attribute, name);
                break;
        }
    }

    private void ReadIdentifier(ref Utf8JsonReader reader, Attribute attribute, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        var hint = attribute == Attribute.Subject ? SubjectHint : "";
        if (reader.TokenType != JsonTokenType.String)
        {
            EventError(attribute, name, $"must be a string, not {Kind(reader.TokenType)}.");
            SkipValue(ref reader);
            return;
        }

        var value = new TextValue((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, null, Verbatim: false);
        string? problem;
        if (!reader.ValueIsEscaped)
        {
            var raw = reader.ValueSpan;
            var verbatim = JsonText.IsVerbatim(raw);
            problem = _checkUtf8 && !Utf8.IsValid(raw)
                ? "is not valid UTF-8; send text encoded as UTF-8."
                : JsonText.IdentifierProblem(raw, Limits.Identifier, hint, verbatim);
            value = value with { Verbatim = verbatim };
        }
        else if (TryGetString(ref reader, out var text))
        {
            problem = text.Length == 0 ? $"is empty{hint}; send a non-empty string." : Limits.IdentifierProblem(text);
            value = value with { Text = text };
        }
        else
        {
            problem = InvalidEscape;
        }

        if (problem is not null)
        {
            EventError(attribute, name, problem);
            return;
        }

        if (attribute == Attribute.SpecVersion)
        {
            var version = value.Text is null ? _json.Span.Slice(value.Start, value.Length) : Encoding.UTF8.GetBytes(value.Text);
            if (!version.SequenceEqual("1.0"u8))
            {
                EventError(attribute, name, $"is '{Truncate(version)}'; Tally accepts CloudEvents specversion '1.0'.");
                return;
            }
        }

        _event.Set(attribute, value);
    }

    private void ReadTime(ref Utf8JsonReader reader)
    {
        _event.MarkSeen(Attribute.Time);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        const string Format = "must be an RFC 3339 timestamp such as 2026-11-25T10:00:00Z, or be left out to use the time of arrival.";
        if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > 64)
        {
            EventError(Attribute.Time, "time", Format);
            SkipValue(ref reader);
            return;
        }

        var text = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
        if (!Rfc3339.TryParse(text, out var time))
        {
            EventError(Attribute.Time, "time", Format);
        }
        else if (!Limits.IsStorable(time))
        {
            EventError(Attribute.Time, "time", $"is {Truncate(text)}; usage events must be dated {Limits.StorableRange}.");
        }
        else if (time > _latest)
        {
            EventError(Attribute.Time, "time", $"is {Truncate(text)}, more than {Describe(_skew)} after the time of arrival ({_now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}); send each event with the time it happened.");
        }
        else
        {
            _event.Time = time;
            _event.HasTime = true;
        }
    }

    private void ReadDataContentType(ref Utf8JsonReader reader)
    {
        _event.MarkSeen(Attribute.DataContentType);
        if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= Limits.Identifier
            && TryGetString(ref reader, out var contentType)
            && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            EventError(Attribute.DataContentType, "datacontenttype", $"is '{contentType}'; usage events carry application/json data.");
            return;
        }

        ReadExtension(ref reader);
    }

    /// <summary>An attribute Tally does not keep (a CloudEvents extension): only bounded in size and checked to be text.</summary>
    private void ReadExtension(ref Utf8JsonReader reader)
    {
        var start = reader.TokenStartIndex;
        SkipValue(ref reader);
        if (reader.BytesConsumed - start > Limits.EventDataBytes)
        {
            EventError(Attribute.Extension, _field ?? "(extension)", $"is larger than {Limits.EventDataBytes / 1024} KiB; CloudEvents extension attributes are small.");
        }
    }

    /// <summary>Skips the value the reader is on; with a body that is not UTF-8, checks every string of it.</summary>
    private void SkipValue(ref Utf8JsonReader reader)
    {
        if (!_checkUtf8)
        {
            reader.Skip();
            return;
        }

        var depth = reader.CurrentDepth;
        var reported = false;
        while (true)
        {
            if (!reported && reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !Utf8.IsValid(reader.ValueSpan))
            {
                EventError(Attribute.Extension, _field ?? (_index < 0 ? "body" : $"[{_index}]"), "is not valid UTF-8; send text encoded as UTF-8.");
                reported = true;
            }

            if (reader.CurrentDepth == depth && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                return;
            }

            reader.Read();
        }
    }

    private const string InvalidEscape = "contains an invalid \\u escape (an unpaired surrogate) or bytes that are not UTF-8; send valid text.";

    private static bool TryGetString(ref Utf8JsonReader reader, out string text)
    {
        try
        {
            text = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => "null",
    };

    private static string Describe(TimeSpan span) =>
        span.TotalSeconds % 60 == 0 ? $"{span.TotalMinutes:0} minutes" : $"{span.TotalSeconds:0} seconds";
}
