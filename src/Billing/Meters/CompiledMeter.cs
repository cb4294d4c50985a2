using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tally.Billing.Meters;

/// <summary>A meter definition with its JSONPaths parsed once, ready to measure events.</summary>
public sealed class CompiledMeter
{
    private readonly JsonPath? _value;
    private readonly KeyValuePair<string, JsonPath>[] _groupBy;

    public CompiledMeter(MeterDefinition definition)
    {
        Definition = definition;
        _value = definition.ValueProperty is null ? null : JsonPath.Parse(definition.ValueProperty);
        _groupBy = [.. definition.GroupBy
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => KeyValuePair.Create(pair.Key, JsonPath.Parse(pair.Value)))];
    }

    public MeterDefinition Definition { get; }

    /// <summary>
    /// The quantity this event adds (1 for COUNT, the number at valueProperty for SUM) and its group
    /// key; false with a reason when the event cannot be measured (e.g. the value is missing).
    /// </summary>
    public bool TryMeasure(JsonElement data, out decimal quantity, out string groupBy, out string rejection)
    {
        quantity = 0;
        groupBy = GroupKey(data);
        rejection = "";
        if (Definition.Aggregation == MeterAggregation.Count)
        {
            quantity = 1;
            return true;
        }

        if (_value is null || !_value.TrySelect(data, out var element))
        {
            rejection = $"data has no value at {Definition.ValueProperty}";
            return false;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetDecimal(out quantity))
        {
            return true;
        }

        if (element.ValueKind == JsonValueKind.String
            && decimal.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out quantity))
        {
            return true;
        }

        rejection = $"value at {Definition.ValueProperty} is not a number";
        return false;
    }

    private string GroupKey(JsonElement data)
    {
        if (_groupBy.Length == 0)
        {
            return "{}";
        }

        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, path) in _groupBy)
            {
                if (data.ValueKind != JsonValueKind.Undefined && path.TrySelect(data, out var value) && value.ValueKind != JsonValueKind.Null)
                {
                    writer.WriteString(name, value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
                }
                else
                {
                    writer.WriteNull(name);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
