using System.Text.RegularExpressions;

namespace Tally.Billing.Catalog;

/// <summary>Keys of features, plans, phases and rate cards: OpenMeter's <c>^[a-z0-9]+(?:_[a-z0-9]+)*$</c>, 1 to 64 characters.</summary>
public static partial class CatalogKey
{
    public const int MaxLength = 64;

    public const string Expectation = "1-64 lower-case letters and digits in words joined by single underscores, such as api_calls";

    public static bool IsValid(string? key) => key is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(key);

    [GeneratedRegex("^[a-z0-9]+(?:_[a-z0-9]+)*$")]
    private static partial Regex Pattern();
}
