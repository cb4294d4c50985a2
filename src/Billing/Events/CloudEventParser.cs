using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Tally.Billing.Events;

/// <summary>
/// Parses and validates CloudEvents 1.0 in structured JSON mode, one event or a batch, as OpenMeter
/// accepts them. A batch is all-or-nothing: one invalid event refuses the request and nothing is
/// stored, so a client can fix and resend it whole.
/// </summary>
public static class CloudEventParser
{
    /// <summary>Most events one request may carry.</summary>
    public const int MaxBatchSize = Limits.EventsPerRequest;

    private const int MaxAttributeLength = Limits.Identifier;

    /// <param name="body">The request body.</param>
    /// <param name="expectBatch">True for <c>application/cloudevents-batch+json</c>, false for a single event,
    /// null for <c>application/json</c> (either).</param>
    /// <param name="now">The time of arrival: the time of events without <c>time</c>, and every event's <c>tallyingested</c>.</param>
    public static CloudEventBatch Parse(ReadOnlyMemory<byte> body, bool? expectBatch, DateTimeOffset now)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            return Refused(new FieldError("body", $"is not valid JSON ({ex.Message}); send a CloudEvent object or an array of them."));
        }

        using (document)
        {
            var root = document.RootElement;
            var isArray = root.ValueKind == JsonValueKind.Array;
            if (expectBatch == true && !isArray)
            {
                return Refused(new FieldError("body", "must be a JSON array of CloudEvents for application/cloudevents-batch+json."));
            }

            if (expectBatch == false && root.ValueKind != JsonValueKind.Object)
            {
                return Refused(new FieldError("body", "must be one CloudEvent JSON object for application/cloudevents+json; use application/cloudevents-batch+json for arrays."));
            }

            if (!isArray)
            {
                return ParseAll([root], prefix: null, now);
            }

            var count = root.GetArrayLength();
            if (count == 0)
            {
                return Refused(new FieldError("body", "is an empty batch; send at least one event."));
            }

            if (count > MaxBatchSize)
            {
                return Refused(new FieldError("body", $"holds {count} events; send at most {MaxBatchSize} per request."));
            }

            return ParseAll([.. root.EnumerateArray()], prefix: "", now);
        }
    }

    private static CloudEventBatch ParseAll(IReadOnlyList<JsonElement> elements, string? prefix, DateTimeOffset now)
    {
        var events = new List<UsageEvent>(elements.Count);
        var errors = new List<FieldError>();
        for (var i = 0; i < elements.Count; i++)
        {
            var path = prefix is null ? "" : $"[{i}].";
            var parsed = ParseOne(elements[i], path, now, errors);
            if (parsed is not null)
            {
                events.Add(parsed);
            }
        }

        return errors.Count > 0 ? new CloudEventBatch([], errors) : new CloudEventBatch(events, []);
    }

    private static UsageEvent? ParseOne(JsonElement element, string path, DateTimeOffset now, List<FieldError> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError(path.Length == 0 ? "body" : path.TrimEnd('.'), "must be a CloudEvent JSON object."));
            return null;
        }

        var before = errors.Count;
        var specVersion = RequiredString(element, "specversion", path, errors);
        if (specVersion is not null && specVersion != "1.0")
        {
            errors.Add(new FieldError(path + "specversion", $"is '{specVersion}'; Tally accepts CloudEvents specversion '1.0'."));
        }

        var id = RequiredString(element, "id", path, errors);
        var source = RequiredString(element, "source", path, errors);
        var type = RequiredString(element, "type", path, errors);
        var subject = RequiredString(element, "subject", path, errors, "the customer or subject the usage belongs to");
        var time = OptionalTime(element, path, now, errors);
        var data = OptionalData(element, path, errors);
        if (errors.Count > before)
        {
            return null;
        }

        return new UsageEvent(id!, source!, type!, subject!, time, Normalize(id!, source!, type!, subject!, time, now, data));
    }

    private static string? RequiredString(JsonElement element, string name, string path, List<FieldError> errors, string? meaning = null)
    {
        var hint = meaning is null ? "" : $" ({meaning})";
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(new FieldError(path + name, $"is required{hint}; add a non-empty string."));
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new FieldError(path + name, $"must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}."));
            return null;
        }

        var text = value.GetString()!;
        if (text.Length == 0)
        {
            errors.Add(new FieldError(path + name, $"is empty{hint}; send a non-empty string."));
            return null;
        }

        if (text.Length > MaxAttributeLength)
        {
            errors.Add(new FieldError(path + name, $"is {text.Length} characters long; at most {MaxAttributeLength} are allowed."));
            return null;
        }

        if (Limits.HasControlCharacters(text))
        {
            errors.Add(new FieldError(path + name, "contains a control character (such as NUL, a tab or a line break); send printable text."));
            return null;
        }

        return text;
    }

    private static DateTimeOffset OptionalTime(JsonElement element, string path, DateTimeOffset now, List<FieldError> errors)
    {
        if (!element.TryGetProperty("time", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return now.ToUniversalTime();
        }

        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            && value.GetString()!.Contains('T', StringComparison.Ordinal))
        {
            if (!Limits.IsStorable(time))
            {
                errors.Add(new FieldError(path + "time", $"is {value.GetString()}; usage events must be dated {Limits.StorableRange}."));
                return default;
            }

            return time.ToUniversalTime();
        }

        errors.Add(new FieldError(path + "time", "must be an RFC 3339 timestamp such as 2026-11-25T10:00:00Z, or be left out to use the time of arrival."));
        return default;
    }

    private static JsonElement? OptionalData(JsonElement element, string path, List<FieldError> errors)
    {
        if (element.TryGetProperty("data_base64", out _))
        {
            errors.Add(new FieldError(path + "data_base64", "is not supported for usage events; send the payload as a JSON object in data."));
        }

        if (element.TryGetProperty("datacontenttype", out var contentType)
            && contentType.ValueKind == JsonValueKind.String
            && !contentType.GetString()!.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new FieldError(path + "datacontenttype", $"is '{contentType.GetString()}'; usage events carry application/json data."));
        }

        if (!element.TryGetProperty("data", out var data) || data.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (data.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError(path + "data", $"must be a JSON object, not {data.ValueKind.ToString().ToLowerInvariant()}."));
            return null;
        }

        if (data.GetRawText().Length > Limits.EventDataBytes)
        {
            errors.Add(new FieldError(path + "data", $"is larger than {Limits.EventDataBytes / 1024} KiB; send at most that much data per event."));
            return null;
        }

        return data;
    }

    private static ReadOnlyMemory<byte> Normalize(string id, string source, string type, string subject, DateTimeOffset time, DateTimeOffset ingestedAt, JsonElement? data)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("specversion", "1.0");
            writer.WriteString("id", id);
            writer.WriteString("source", source);
            writer.WriteString("type", type);
            writer.WriteString("subject", subject);
            writer.WriteString("time", time.UtcDateTime);
            writer.WriteString(LoggedEventReader.IngestedAttribute, TruncateToMilliseconds(ingestedAt).UtcDateTime);
            if (data is { } payload)
            {
                writer.WritePropertyName("data");
                payload.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    private static CloudEventBatch Refused(FieldError error) => new([], [error]);

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset instant) =>
        new(instant.UtcTicks - (instant.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
