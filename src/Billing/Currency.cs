namespace Tally.Billing;

/// <summary>An ISO 4217 currency with the number of minor units its amounts are rounded to.</summary>
public sealed record Currency
{
    private static readonly Dictionary<string, int> MinorUnitsByCode = new(StringComparer.Ordinal)
    {
        ["USD"] = 2, ["EUR"] = 2, ["GBP"] = 2, ["CHF"] = 2, ["CAD"] = 2, ["AUD"] = 2,
        ["SEK"] = 2, ["NOK"] = 2, ["DKK"] = 2, ["PLN"] = 2, ["INR"] = 2, ["BRL"] = 2,
        ["CNY"] = 2, ["MXN"] = 2, ["SGD"] = 2, ["HKD"] = 2, ["NZD"] = 2, ["ZAR"] = 2,
        ["JPY"] = 0, ["KRW"] = 0, ["HUF"] = 2, ["CZK"] = 2,
        ["BHD"] = 3, ["KWD"] = 3, ["JOD"] = 3, ["OMR"] = 3, ["TND"] = 3,
    };

    private Currency(string code, int minorUnits)
    {
        Code = code;
        MinorUnits = minorUnits;
    }

    /// <summary>Upper-case ISO 4217 code, e.g. <c>USD</c>.</summary>
    public string Code { get; }

    /// <summary>Digits after the decimal point in an invoiced amount (2 for USD, 0 for JPY).</summary>
    public int MinorUnits { get; }

    public static Currency Usd { get; } = new("USD", 2);

    /// <summary>Parses a supported ISO 4217 code; returns false for anything else.</summary>
    public static bool TryParse(string? code, out Currency currency)
    {
        currency = Usd;
        if (code is null || !MinorUnitsByCode.TryGetValue(code, out var minor))
        {
            return false;
        }

        currency = new Currency(code, minor);
        return true;
    }

    public static Currency Parse(string code) =>
        TryParse(code, out var currency) ? currency : throw new FormatException($"'{code}' is not a supported ISO 4217 currency code.");

    /// <summary>Codes Tally accepts, for error messages.</summary>
    public static IEnumerable<string> SupportedCodes => MinorUnitsByCode.Keys.Order(StringComparer.Ordinal);

    public override string ToString() => Code;
}
