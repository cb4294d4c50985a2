using System.Text.Json;

namespace Tally.Ledger;

/// <summary>How the ledger writes JSON into text columns: camelCase, the API's shape.</summary>
internal static class LedgerJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
