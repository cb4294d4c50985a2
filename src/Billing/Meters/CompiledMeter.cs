using System.Globalization;
using System.Runtime.InteropServices;
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

    /// <summary>Where the value property points inside <c>data</c>, as a suffix such as <c>.tokens</c> (empty for COUNT).</summary>
    public string ValuePath => _value is null ? "" : _value.Canonical[1..];

    /// <summary>
    /// Whether the meter measures an event of its type with this data and time: false with
    /// <paramref name="skipped"/> when the event is outside the meter by design (before eventFrom, or
    /// filtered out), false with <paramref name="error"/> when the meter cannot measure it (the value
    /// is missing or not a number). Both are null when the event is measured.
    /// </summary>
    public bool TryMeasure(JsonElement data, DateTimeOffset time, out string? skipped, out string? error) =>
        TryMeasure(data.ValueKind == JsonValueKind.Undefined ? [] : JsonMarshal.GetRawUtf8Value(data), time, out skipped, out error);

    /// <inheritdoc cref="TryMeasure(JsonElement, DateTimeOffset, out string?, out string?)"/>
    /// <param name="data">The event's <c>data</c> as UTF-8 JSON; empty when the event has none.</param>
    /// <param name="time">The event's time.</param>
    /// <param name="skipped">Why the meter leaves the event out by design.</param>
    /// <param name="error">Why the meter cannot measure the event.</param>
    public bool TryMeasure(ReadOnlySpan<byte> data, DateTimeOffset time, out string? skipped, out string? error)
    {
        skipped = null;
        error = null;
        if (Definition.EventFrom is { } from && time < from)
        {
            skipped = $"before the meter's eventFrom {from.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
            return false;
        }

        var isObject = !data.IsEmpty && data[0] == (byte)'{';
        foreach (var (path, condition) in _filter)
        {
            if (!Passes(data, isObject, path, condition))
            {
                skipped = $"data does not pass the filter on {condition.Path}";
                return false;
            }
        }

        if (Definition.Aggregation == MeterAggregation.Count)
        {
            return true;
        }

        if (_value is null || !isObject || !_value.TrySelect(data, out var value) || value.Kind(data) is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            error = $"missing value property: \"{Definition.ValueProperty}\"";
            return false;
        }

        var kind = value.Kind(data);
        if (Definition.Aggregation == MeterAggregation.UniqueCount)
        {
            if (kind is JsonValueKind.Object or JsonValueKind.Array)
            {
                error = $"value property \"{Definition.ValueProperty}\" is a JSON {kind.ToString().ToLowerInvariant()}, not a scalar";
                return false;
            }

            return true;
        }

        if (!value.TryNumber(data, out _))
        {
            error = $"value property \"{Definition.ValueProperty}\" is {Describe(data, value)}; it must be a number or a numeric string";
            return false;
        }

        return true;
    }

    /// <summary>
    /// Whether the meter measures the event and, if so, what it folds: the number at valueProperty
    /// (null for COUNT, and for UNIQUE_COUNT) and the value's text (UNIQUE_COUNT). The same judgement as
    /// <see cref="TryMeasure(JsonElement, DateTimeOffset, out string?, out string?)"/>, for folding single events into running aggregates.
    /// </summary>
    public bool TryRead(JsonElement data, DateTimeOffset time, out decimal? number, out string? raw) =>
        TryRead(data.ValueKind == JsonValueKind.Undefined ? [] : JsonMarshal.GetRawUtf8Value(data), time, out number, out raw);

    /// <inheritdoc cref="TryRead(JsonElement, DateTimeOffset, out decimal?, out string?)"/>
    /// <param name="data">The event's <c>data</c> as UTF-8 JSON; empty when the event has none.</param>
    /// <param name="time">The event's time.</param>
    /// <param name="number">The number at valueProperty, when the meter folds one.</param>
    /// <param name="raw">The value's text.</param>
    public bool TryRead(ReadOnlySpan<byte> data, DateTimeOffset time, out decimal? number, out string? raw)
    {
        number = null;
        raw = null;
        if (!TryMeasure(data, time, out _, out _))
        {
            return false;
        }

        if (_value is null || Definition.Aggregation == MeterAggregation.Count || data.IsEmpty || data[0] != (byte)'{' || !_value.TrySelect(data, out var value))
        {
            return true;
        }

        raw = value.ScalarText(data);
        if (Definition.Aggregation != MeterAggregation.UniqueCount && value.TryNumber(data, out var parsed))
        {
            number = parsed;
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

    private static bool Passes(ReadOnlySpan<byte> data, bool isObject, JsonPath path, DataCondition condition)
    {
        JsonSlice value = default;
        var present = isObject && path.TrySelect(data, out value) && value.Kind(data) != JsonValueKind.Null;
        var text = present ? value.ScalarText(data) : null;
        return condition.Operator switch
        {
            DataOperator.Exists => present == (condition.Values[0] == "true"),
            DataOperator.Eq => text == condition.Values[0],
            DataOperator.Ne => text != condition.Values[0],
            DataOperator.In => text is not null && condition.Values.Contains(text),
            DataOperator.Nin => text is null || !condition.Values.Contains(text),
            _ => present && value.TryNumber(data, out var number)
                && decimal.TryParse(condition.Values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var bound)
                && condition.Operator switch
                {
                    DataOperator.Gt => number > bound,
                    DataOperator.Gte => number >= bound,
                    DataOperator.Lt => number < bound,
                    _ => number <= bound,
                },
        };
    }

    private static string Describe(ReadOnlySpan<byte> data, JsonSlice value) => value.Kind(data) switch
    {
        JsonValueKind.String => $"the string \"{Truncate(value.ScalarText(data)!)}\"",
        JsonValueKind.Number => $"the number {Truncate(value.ScalarText(data)!)}, outside the range Tally can bill",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.ScalarText(data)}",
        var kind => $"a JSON {kind.ToString().ToLowerInvariant()}",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
