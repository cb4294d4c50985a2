using System.Globalization;
using System.Text.Json;

namespace Tally.Billing.Meters;

/// <summary>
/// A meter definition with its JSONPaths parsed once, for judging single events in C#: whether the
/// meter takes an event, and why not (ingest refusals and the <c>validationError</c> of stored events).
/// Aggregation itself happens in the usage store over stored events, with the same rules.
/// </summary>
public sealed class CompiledMeter
{
    private readonly JsonPath? _value;
    private readonly (JsonPath Path, DataCondition Condition)[] _filter;

    public CompiledMeter(MeterDefinition definition)
    {
        Definition = definition;
        _value = definition.ValueProperty is null ? null : JsonPath.Parse(definition.ValueProperty);
        _filter = [.. definition.DataFilter.Select(condition => (JsonPath.Parse(condition.Path), condition))];
    }

    public MeterDefinition Definition { get; }

    /// <summary>
    /// Whether the meter measures an event of its type with this data and time: false with
    /// <paramref name="skipped"/> when the event is outside the meter by design (before eventFrom, or
    /// filtered out), false with <paramref name="error"/> when the meter cannot measure it (the value
    /// is missing or not a number). Both are null when the event is measured.
    /// </summary>
    public bool TryMeasure(JsonElement data, DateTimeOffset time, out string? skipped, out string? error)
    {
        skipped = null;
        error = null;
        if (Definition.EventFrom is { } from && time < from)
        {
            skipped = $"before the meter's eventFrom {from.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
            return false;
        }

        foreach (var (path, condition) in _filter)
        {
            if (!Passes(data, path, condition))
            {
                skipped = $"data does not pass the filter on {condition.Path}";
                return false;
            }
        }

        if (Definition.Aggregation == MeterAggregation.Count)
        {
            return true;
        }

        if (_value is null || data.ValueKind != JsonValueKind.Object || !_value.TrySelect(data, out var element)
            || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            error = $"missing value property: \"{Definition.ValueProperty}\"";
            return false;
        }

        if (Definition.Aggregation == MeterAggregation.UniqueCount)
        {
            if (element.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                error = $"value property \"{Definition.ValueProperty}\" is a JSON {element.ValueKind.ToString().ToLowerInvariant()}, not a scalar";
                return false;
            }

            return true;
        }

        if (!TryNumber(element, out _))
        {
            error = $"value property \"{Definition.ValueProperty}\" is {Describe(element)}; it must be a number or a numeric string";
            return false;
        }

        return true;
    }

    /// <summary>
    /// Whether the meter measures the event and, if so, what it folds: the number at valueProperty
    /// (null for COUNT, and for UNIQUE_COUNT) and the value's text (UNIQUE_COUNT). The same judgement as
    /// <see cref="TryMeasure"/>, for folding single events into running aggregates.
    /// </summary>
    public bool TryRead(JsonElement data, DateTimeOffset time, out decimal? number, out string? raw)
    {
        number = null;
        raw = null;
        if (!TryMeasure(data, time, out _, out _))
        {
            return false;
        }

        if (_value is null || Definition.Aggregation == MeterAggregation.Count || !_value.TrySelect(data, out var element))
        {
            return true;
        }

        raw = ScalarText(element);
        if (Definition.Aggregation != MeterAggregation.UniqueCount && TryNumber(element, out var value))
        {
            number = value;
        }

        return true;
    }

    /// <summary>
    /// A JSON number or a string holding one, within decimal's range (what billing can price):
    /// <c>10</c>, <c>"10"</c>, <c>1e3</c>; not <c>NaN</c>, <c>Infinity</c>, <c>1e999</c>, <c>true</c>.
    /// </summary>
    public static bool TryNumber(JsonElement element, out decimal number)
    {
        number = 0;
        var text = element.ValueKind switch
        {
            JsonValueKind.Number => element.GetRawText(),
            JsonValueKind.String => element.GetString(),
            _ => null,
        };
        return text is not null
            && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>The JSON text a value compares by: strings unquoted, other scalars as written; null when absent.</summary>
    public static string? ScalarText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => null,
    };

    private static bool Passes(JsonElement data, JsonPath path, DataCondition condition)
    {
        JsonElement element = default;
        var present = data.ValueKind == JsonValueKind.Object && path.TrySelect(data, out element) && element.ValueKind != JsonValueKind.Null;
        var text = present ? ScalarText(element) : null;
        return condition.Operator switch
        {
            DataOperator.Exists => present == (condition.Values[0] == "true"),
            DataOperator.Eq => text == condition.Values[0],
            DataOperator.Ne => text != condition.Values[0],
            DataOperator.In => text is not null && condition.Values.Contains(text),
            DataOperator.Nin => text is null || !condition.Values.Contains(text),
            _ => present && TryNumber(element, out var value)
                && decimal.TryParse(condition.Values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var bound)
                && condition.Operator switch
                {
                    DataOperator.Gt => value > bound,
                    DataOperator.Gte => value >= bound,
                    DataOperator.Lt => value < bound,
                    _ => value <= bound,
                },
        };
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(element.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Truncate(element.GetRawText())}, outside the range Tally can bill",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {element.GetRawText()}",
        _ => $"a JSON {element.ValueKind.ToString().ToLowerInvariant()}",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
