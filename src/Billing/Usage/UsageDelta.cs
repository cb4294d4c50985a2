using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Tally.Billing.Usage;

/// <summary>
/// What the aggregator publishes after it stored a batch: the events of one subject that it stored
/// for the first time, each with the log partition and position it was read at. Positions are how a
/// consumer applies every event exactly once: per (subject, partition) they only grow, and a replay,
/// a zombie or a crash-restart republishes an event under the same position.
/// </summary>
public sealed record UsageDelta(string TenantId, string Subject, int Partition, IReadOnlyList<DeltaEvent> Events)
{
    /// <summary>The key of a delta record: <c>{tenant}:{subject}</c>, so one subject's deltas stay in order.</summary>
    public string Key => string.Concat(TenantId, ":", Subject);

    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (Events.Count * 128));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("tenant", TenantId);
            json.WriteString("subject", Subject);
            json.WriteNumber("partition", Partition);
            json.WriteStartArray("events");
            foreach (var e in Events)
            {
                json.WriteStartObject();
                json.WriteNumber("position", e.Position);
                json.WriteString("type", e.Type);
                json.WriteNumber("time", e.Time.ToUnixTimeMilliseconds());
                json.WriteString("source", e.Source);
                json.WriteString("id", e.Id);
                json.WritePropertyName("data");
                if (e.Data.Length == 0)
                {
                    json.WriteNullValue();
                }
                else
                {
                    json.WriteRawValue(e.Data, skipInputValidation: true);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a delta record; false for a record this version cannot read. One forward pass of a
    /// <see cref="Utf8JsonReader"/> over the record as stored: no document, no copy of the record, each
    /// event's <c>data</c> taken as its JSON text. Properties may come in any order; unknown ones are skipped.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, out UsageDelta? delta)
    {
        delta = null;
        try
        {
            var reader = new Utf8JsonReader(value);
            Expect(ref reader, JsonTokenType.StartObject);
            string? tenant = null, subject = null;
            int? partition = null;
            List<DeltaEvent>? events = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("tenant"u8))
                {
                    tenant = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("subject"u8))
                {
                    subject = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("partition"u8))
                {
                    Expect(ref reader, JsonTokenType.Number);
                    partition = reader.GetInt32();
                }
                else if (reader.ValueTextEquals("events"u8))
                {
                    events = ReadEvents(ref reader, value);
                }
                else
                {
                    Next(ref reader);
                    reader.Skip();
                }
            }

            if (tenant is null || subject is null || partition is null || events is null)
            {
                return false;
            }

            delta = new UsageDelta(tenant, subject, partition.Value, events);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    private static List<DeltaEvent> ReadEvents(ref Utf8JsonReader reader, ReadOnlySpan<byte> value)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        var events = new List<DeltaEvent>();
        while (Next(ref reader) == JsonTokenType.StartObject)
        {
            long? position = null, time = null;
            string? type = null, source = null, id = null, data = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("position"u8))
                {
                    Expect(ref reader, JsonTokenType.Number);
                    position = reader.GetInt64();
                }
                else if (reader.ValueTextEquals("time"u8))
                {
                    Expect(ref reader, JsonTokenType.Number);
                    time = reader.GetInt64();
                }
                else if (reader.ValueTextEquals("type"u8))
                {
                    type = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("source"u8))
                {
                    source = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    id = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    data = ReadRaw(ref reader, value);
                }
                else
                {
                    Next(ref reader);
                    reader.Skip();
                }
            }

            if (position is null || time is null || type is null || source is null || id is null || data is null)
            {
                throw new FormatException("A delta event lacks a property.");
            }

            events.Add(new DeltaEvent(position.Value, type, DateTimeOffset.FromUnixTimeMilliseconds(time.Value), source, id, data));
        }

        if (reader.TokenType != JsonTokenType.EndArray)
        {
            throw new FormatException("The events of a delta are not an array of objects.");
        }

        return events;
    }

    /// <summary>The next value as JSON text, exactly as stored ("" for null).</summary>
    private static string ReadRaw(ref Utf8JsonReader reader, ReadOnlySpan<byte> value)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return "";
        }

        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return Encoding.UTF8.GetString(value[start..(int)reader.BytesConsumed]);
    }

    private static string ReadString(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.String);
        return reader.GetString()!;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new FormatException("The delta record ends early.");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type)
        {
            throw new FormatException($"Expected {type}, found {reader.TokenType}.");
        }
    }

    public override string ToString() => $"{Key} p{Partition} {Events.Count} events";
}

/// <summary>One stored event in a delta; <see cref="Data"/> is its data as JSON text ("" when it had none).</summary>
public sealed record DeltaEvent(long Position, string Type, DateTimeOffset Time, string Source, string Id, string Data);

/// <summary>Names of the usage delta topic (a second event log next to the usage events).</summary>
public static class UsageDeltaTopic
{
    /// <summary>The DI key of the delta log and its default Kafka topic.</summary>
    public const string Name = "tally.usage";

    /// <summary>The consumer group of the rating stage on the delta topic.</summary>
    public const string RatingGroup = "tally-rating";
}
