using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tally.Billing.Events;

/// <summary>
/// Reads an event back from the event log: the normalized CloudEvent ingest wrote
/// (<c>specversion, id, source, type, subject, time, tallyingested, data</c>), in one pass with no DOM.
/// Anything else (a record another producer wrote, a torn or foreign payload) is refused with a reason,
/// so one bad record becomes a rejection instead of stopping the pipeline.
/// </summary>
public static class LoggedEventReader
{
    /// <summary>The CloudEvents extension attribute holding when Tally acknowledged the event (UTC, ms).</summary>
    public const string IngestedAttribute = "tallyingested";

    public static bool TryRead(string tenantId, ReadOnlySpan<byte> json, out StoredEvent storedEvent, out string reason)
    {
        storedEvent = null!;
        string? id = null, source = null, type = null, subject = null, time = null, ingested = null, data = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reason = "unreadable: not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "id": id = StringOrNull(ref reader); break;
                    case "source": source = StringOrNull(ref reader); break;
                    case "type": type = StringOrNull(ref reader); break;
                    case "subject": subject = StringOrNull(ref reader); break;
                    case "time": time = StringOrNull(ref reader); break;
                    case IngestedAttribute: ingested = StringOrNull(ref reader); break;
                    case "data" when reader.TokenType == JsonTokenType.StartObject:
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        data = Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]);
                        break;
                    default: reader.Skip(); break;
                }
            }
        }
        catch (JsonException ex)
        {
            reason = $"unreadable: {ex.Message}";
            return false;
        }

        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(source) || string.IsNullOrEmpty(type) || string.IsNullOrEmpty(subject))
        {
            reason = "unreadable: id, source, type and subject are required strings";
            return false;
        }

        if (!TryInstant(time, out var at) || !Limits.IsStorable(at))
        {
            reason = $"time '{time}' is not an instant {Limits.StorableRange}";
            return false;
        }

        var acknowledged = TryInstant(ingested, out var ingestedAt) ? ingestedAt : at;
        storedEvent = new StoredEvent(new EventIdentity(tenantId, source, id), type, subject, at, data ?? "", acknowledged);
        reason = "";
        return true;
    }

    private static string? StringOrNull(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    private static bool TryInstant(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (text is null || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }

        instant = parsed.ToUniversalTime();
        return true;
    }
}
