using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Tally.FakeStripe;

/// <summary>
/// Reads Stripe's v1 request parameters: form bodies (<c>application/x-www-form-urlencoded</c>) and
/// query strings, with nested keys flattened as <c>metadata[key]=value</c> and <c>lines[0][amount]=5</c>.
/// </summary>
internal sealed class StripeForm(IReadOnlyDictionary<string, string> values)
{
    public static StripeForm Empty { get; } = new(new Dictionary<string, string>());

    public static StripeForm From(IFormCollection form) => new(form.Keys.ToDictionary(key => key, key => form[key].ToString(), StringComparer.Ordinal));

    public static StripeForm From(IQueryCollection query) => new(query.Keys.ToDictionary(key => key, key => query[key].ToString(), StringComparer.Ordinal));

    public string? Get(string key) => values.TryGetValue(key, out var value) ? value : null;

    public long? GetLong(string key) => Get(key) is { } text ? long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;

    public bool? GetBool(string key) => Get(key) is { } text ? bool.Parse(text) : null;

    public IReadOnlyDictionary<string, string> Metadata(string prefix = "") =>
        values.Keys
            .Where(key => key.StartsWith(prefix + "metadata[", StringComparison.Ordinal) && key.EndsWith(']'))
            .ToDictionary(key => key[(prefix + "metadata[").Length..^1], key => values[key], StringComparer.Ordinal);

    /// <summary>The elements of an array parameter such as <c>lines</c>, each as a form of its own fields.</summary>
    public IReadOnlyList<StripeForm> Array(string name)
    {
        var elements = new List<StripeForm>();
        for (var i = 0; ; i++)
        {
            var prefix = $"{name}[{i}]";
            var fields = values.Where(pair => pair.Key.StartsWith(prefix + "[", StringComparison.Ordinal))
                .ToDictionary(pair => pair.Key[(prefix.Length + 1)..].Replace("]", "", StringComparison.Ordinal), pair => pair.Value, StringComparer.Ordinal);
            if (fields.Count == 0)
            {
                return elements;
            }

            elements.Add(new StripeForm(fields));
        }
    }

    /// <summary>
    /// The parameters in a canonical order: Stripe refuses an idempotency key reused with different
    /// parameters, and the fake compares requests by this text.
    /// </summary>
    public string Canonical() =>
        string.Join('&', values.Keys.Order(StringComparer.Ordinal).Select(key => $"{key}={values[key]}"));

    public static JsonObject MetadataJson(IReadOnlyDictionary<string, string> metadata)
    {
        var json = new JsonObject();
        foreach (var (key, value) in metadata)
        {
            json[key] = value;
        }

        return json;
    }
}
