using System.Globalization;
using System.Text.Json;
using Tally.Billing.Calendar;

namespace Tally.Billing.Catalog;

/// <summary>
/// Reads fields of an OpenMeter-shaped JSON body, collecting one <see cref="FieldError"/> per bad field
/// under its path (e.g. <c>phases[0].rateCards[1].price.amount</c>) instead of failing on the first.
/// Numeric fields accept OpenMeter's decimal strings (<c>"0.01"</c>) and JSON numbers.
/// </summary>
public sealed class JsonFields(List<FieldError> errors)
{
    public List<FieldError> Errors { get; } = errors;

    public static string Path(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    public bool Has(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public JsonElement? Get(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public void Add(string path, string message) => Errors.Add(new FieldError(path, message));

    public string? Text(JsonElement obj, string name, string path, bool required, int maxLength = Limits.Name)
    {
        var value = Get(obj, name);
        if (value is null)
        {
            if (required)
            {
                Add(Path(path, name), "is required.");
            }

            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.String)
        {
            Add(Path(path, name), "must be a string.");
            return null;
        }

        var text = value.Value.GetString()!;
        if (Limits.IdentifierProblem(text, maxLength) is { } problem)
        {
            Add(Path(path, name), problem);
            return null;
        }

        return text;
    }

    /// <summary>A free text of up to <see cref="Limits.Description"/> characters (line breaks allowed).</summary>
    public string? Description(JsonElement obj, string path)
    {
        var value = Get(obj, "description");
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.String || value.Value.GetString()!.Length > Limits.Description)
        {
            Add(Path(path, "description"), $"must be a string of at most {Limits.Description} characters.");
            return null;
        }

        return value.Value.GetString();
    }

    public decimal? Decimal(JsonElement obj, string name, string path, bool required, decimal minimum = 0m, bool exclusive = false)
    {
        var value = Get(obj, name);
        if (value is null)
        {
            if (required)
            {
                Add(Path(path, name), "is required: a decimal number such as \"0.01\".");
            }

            return null;
        }

        var text = value.Value.ValueKind switch
        {
            JsonValueKind.String => value.Value.GetString(),
            JsonValueKind.Number => value.Value.GetRawText(),
            _ => null,
        };
        if (text is null || text.Length > 40 || !decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number))
        {
            Add(Path(path, name), $"is {Show(value.Value)}; send a decimal number such as \"0.01\".");
            return null;
        }

        if (exclusive ? number <= minimum : number < minimum)
        {
            Add(Path(path, name), $"is {number.ToString(CultureInfo.InvariantCulture)}; it must be {(exclusive ? "greater than" : "at least")} {minimum.ToString(CultureInfo.InvariantCulture)}.");
            return null;
        }

        return number;
    }

    public int? Int(JsonElement obj, string name, string path, int minimum, int maximum)
    {
        var value = Get(obj, name);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetInt32(out var number) || number < minimum || number > maximum)
        {
            Add(Path(path, name), $"is {Show(value.Value)}; send a whole number from {minimum} to {maximum}.");
            return null;
        }

        return number;
    }

    public bool? Bool(JsonElement obj, string name, string path)
    {
        var value = Get(obj, name);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Add(Path(path, name), "must be true or false.");
            return null;
        }

        return value.Value.GetBoolean();
    }

    public DateTimeOffset? Instant(JsonElement obj, string name, string path, bool required)
    {
        var value = Get(obj, name);
        if (value is null)
        {
            if (required)
            {
                Add(Path(path, name), "is required: an RFC 3339 date-time such as 2026-11-01T00:00:00Z.");
            }

            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(value.Value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var instant))
        {
            Add(Path(path, name), $"is {Show(value.Value)}; send an RFC 3339 date-time such as 2026-11-01T00:00:00Z.");
            return null;
        }

        if (!Limits.IsStorable(instant))
        {
            Add(Path(path, name), $"is {instant.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}; it must be {Limits.StorableRange}.");
            return null;
        }

        return instant.ToUniversalTime();
    }

    public IsoDuration? Duration(JsonElement obj, string name, string path, bool required)
    {
        var value = Get(obj, name);
        if (value is null)
        {
            if (required)
            {
                Add(Path(path, name), "is required: an ISO 8601 duration such as P1M.");
            }

            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.String || !IsoDuration.TryParse(value.Value.GetString(), out var duration))
        {
            Add(Path(path, name), $"is {Show(value.Value)}; send an ISO 8601 duration such as P1M, P1W, P1D or PT1H.");
            return null;
        }

        return duration;
    }

    public IReadOnlyDictionary<string, string>? Metadata(JsonElement obj, string path)
    {
        var value = Get(obj, "metadata");
        if (value is null)
        {
            return null;
        }

        var at = Path(path, "metadata");
        if (value.Value.ValueKind != JsonValueKind.Object)
        {
            Add(at, "must be an object of string values.");
            return null;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.Value.EnumerateObject())
        {
            if (metadata.Count == 50 || property.Name.Length > Limits.Key || property.Value.ValueKind != JsonValueKind.String || property.Value.GetString()!.Length > Limits.Description)
            {
                Add(at, $"must hold at most 50 entries, keys of at most {Limits.Key} characters and string values of at most {Limits.Description}.");
                return null;
            }

            metadata[property.Name] = property.Value.GetString()!;
        }

        return metadata;
    }

    public static string Show(JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.String ? $"\"{value.GetString()}\"" : value.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "…";
    }
}
