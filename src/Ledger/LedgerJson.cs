using System.Text.Json;

namespace Tally.Ledger;

/// <summary>How the ledger keeps small structured values (metadata, filters, addresses) in TEXT columns: JSON.</summary>
internal static class LedgerJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    public static string? Write<T>(T? value)
        where T : class => value is null ? null : JsonSerializer.Serialize(value, Options);

    public static T? Read<T>(string? text)
        where T : class => string.IsNullOrEmpty(text) ? null : JsonSerializer.Deserialize<T>(text, Options);

    public static IReadOnlyDictionary<string, string>? Metadata(string? text) => Read<Dictionary<string, string>>(text);

    public static long Flag(bool value) => value ? 1L : 0L;
}
