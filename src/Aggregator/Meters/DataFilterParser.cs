using System.Globalization;
using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Meters;

namespace Tally.Aggregator.Meters;

/// <summary>
/// Reads a meter's <c>dataFilter</c> in the style of OpenMeter's filter objects: a JSONPath to one
/// operator object, e.g. <c>{"$.status": {"$eq": "ok"}, "$.region": {"$in": ["eu", "us"]}}</c>.
/// Operators: <c>$eq $ne $in $nin $exists $gt $gte $lt $lte</c>; scalars compare by their JSON text.
/// </summary>
public static class DataFilterParser
{
    public const int MaxConditions = 10;

    private static readonly Dictionary<string, DataOperator> Operators = new(StringComparer.Ordinal)
    {
        ["$eq"] = DataOperator.Eq, ["$ne"] = DataOperator.Ne, ["$in"] = DataOperator.In, ["$nin"] = DataOperator.Nin,
        ["$exists"] = DataOperator.Exists, ["$gt"] = DataOperator.Gt, ["$gte"] = DataOperator.Gte, ["$lt"] = DataOperator.Lt, ["$lte"] = DataOperator.Lte,
    };

    public static IReadOnlyList<DataCondition> Parse(Dictionary<string, JsonElement>? filter, List<FieldError> errors)
    {
        if (filter is null)
        {
            return [];
        }

        if (filter.Count > MaxConditions)
        {
            errors.Add(new FieldError("dataFilter", $"has {filter.Count} conditions; a meter has at most {MaxConditions}."));
            return [];
        }

        var conditions = new List<DataCondition>();
        foreach (var (path, body) in filter)
        {
            var field = $"dataFilter.{(path.Length <= Limits.JsonPath && !Limits.HasControlCharacters(path) ? path : "(invalid path)")}";
            if (!JsonPath.TryParse(path, out _, out var pathError))
            {
                errors.Add(new FieldError(field, $"is not a valid property path: it {pathError}."));
                continue;
            }

            if (body.ValueKind != JsonValueKind.Object || body.EnumerateObject().Count() != 1)
            {
                errors.Add(new FieldError(field, "must be an object with exactly one operator, such as {\"$eq\": \"ok\"}."));
                continue;
            }

            var entry = body.EnumerateObject().Single();
            if (!Operators.TryGetValue(entry.Name, out var op))
            {
                errors.Add(new FieldError(field, $"uses '{entry.Name}'; use one of {string.Join(", ", Operators.Keys)}."));
                continue;
            }

            if (Values(op, entry.Value) is { } values)
            {
                conditions.Add(new DataCondition(path, op, values));
            }
            else
            {
                errors.Add(new FieldError($"{field}.{entry.Name}", Expected(op)));
            }
        }

        return conditions;
    }

    /// <summary>The filter as the API shows it back.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, object>> Describe(IReadOnlyList<DataCondition> conditions) =>
        conditions.ToDictionary(
            condition => condition.Path,
            condition => (IReadOnlyDictionary<string, object>)new Dictionary<string, object>
            {
                [Operators.First(pair => pair.Value == condition.Operator).Key] = condition.Operator switch
                {
                    DataOperator.In or DataOperator.Nin => condition.Values,
                    DataOperator.Exists => condition.Values[0] == "true",
                    DataOperator.Gt or DataOperator.Gte or DataOperator.Lt or DataOperator.Lte => decimal.Parse(condition.Values[0], NumberStyles.Float, CultureInfo.InvariantCulture),
                    _ => condition.Values[0],
                },
            },
            StringComparer.Ordinal);

    private static IReadOnlyList<string>? Values(DataOperator op, JsonElement value) => op switch
    {
        DataOperator.Exists => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? [value.GetRawText()] : null,
        DataOperator.In or DataOperator.Nin => value.ValueKind == JsonValueKind.Array && value.GetArrayLength() is > 0 and <= 100
            && value.EnumerateArray().All(item => Scalar(item) is not null)
                ? [.. value.EnumerateArray().Select(item => Scalar(item)!)]
                : null,
        DataOperator.Eq or DataOperator.Ne => Scalar(value) is { } text ? [text] : null,
        _ => CompiledMeter.TryNumber(value, out var number) ? [number.ToString(CultureInfo.InvariantCulture)] : null,
    };

    private static string? Scalar(JsonElement value) =>
        CompiledMeter.ScalarText(value) is { Length: <= Limits.Identifier } text && !Limits.HasControlCharacters(text) ? text : null;

    private static string Expected(DataOperator op) => op switch
    {
        DataOperator.Exists => "must be true or false.",
        DataOperator.In or DataOperator.Nin => "must be an array of 1-100 strings, numbers or booleans.",
        DataOperator.Eq or DataOperator.Ne => "must be a string, number or boolean of at most 256 printable characters.",
        _ => "must be a number.",
    };
}
