using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Tally.Tests.Invoicer.Fakes;

/// <summary>
/// Reads Stripe's v1 request bodies: <c>application/x-www-form-urlencoded</c> with nested keys
/// flattened as <c>metadata[key]=value</c>.
/// </summary>
internal sealed class StripeForm(IFormCollection form)
{
    public string? Get(string key) => form.TryGetValue(key, out var values) ? values.ToString() : null;

    public long? GetLong(string key) => Get(key) is { } text ? long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;

    public bool? GetBool(string key) => Get(key) is { } text ? bool.Parse(text) : null;

    public IReadOnlyDictionary<string, string> Metadata() =>
        form.Keys
            .Where(key => key.StartsWith("metadata[", StringComparison.Ordinal) && key.EndsWith(']'))
            .ToDictionary(key => key["metadata[".Length..^1], key => form[key].ToString(), StringComparer.Ordinal);

    /// <summary>
    /// The parameters in a canonical order: Stripe refuses an idempotency key reused with different
    /// parameters, and the fake compares requests by this text.
    /// </summary>
    public string Canonical() =>
        string.Join('&', form.Keys.Order(StringComparer.Ordinal).Select(key => $"{key}={form[key]}"));

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
