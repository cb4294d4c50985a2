using System.Buffers;
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

    /// <summary>Reads a delta record; false for a record this version cannot read.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, out UsageDelta? delta)
    {
        delta = null;
        try
        {
            using var document = JsonDocument.Parse(value.ToArray());
            var root = document.RootElement;
            var events = new List<DeltaEvent>();
            foreach (var e in root.GetProperty("events").EnumerateArray())
            {
                var data = e.GetProperty("data");
                events.Add(new DeltaEvent(
                    e.GetProperty("position").GetInt64(),
                    e.GetProperty("type").GetString()!,
                    DateTimeOffset.FromUnixTimeMilliseconds(e.GetProperty("time").GetInt64()),
                    e.GetProperty("source").GetString()!,
                    e.GetProperty("id").GetString()!,
                    data.ValueKind == JsonValueKind.Null ? "" : data.GetRawText()));
            }

            delta = new UsageDelta(root.GetProperty("tenant").GetString()!, root.GetProperty("subject").GetString()!, root.GetProperty("partition").GetInt32(), events);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
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
