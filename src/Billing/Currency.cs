using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tally.Billing;

/// <summary>
/// An ISO 4217 currency with the number of minor units its amounts are rounded to (0 for JPY, 2 for
/// USD, 3 for KWD, 4 for CLF), as the standard's current list (amendment 178) gives them. Every code
/// the list holds is accepted; anything else is refused.
/// </summary>
[JsonConverter(typeof(CurrencyJsonConverter))]
public sealed record Currency
{
    private static readonly string[] ZeroDecimal = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"];
    private static readonly string[] ThreeDecimal = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    private static readonly string[] FourDecimal = ["CLF", "UYW"];
    private static readonly string[] TwoDecimal =
    [
        "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD", "BND", "BOB", "BOV", "BRL",
        "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK",
        "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG",
        "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD",
        "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
        "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
        "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH",
        "USD", "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG",
    ];

    private static readonly Dictionary<string, Currency> ByCode =
        ZeroDecimal.Select(code => new Currency(code, 0))
            .Concat(TwoDecimal.Select(code => new Currency(code, 2)))
            .Concat(ThreeDecimal.Select(code => new Currency(code, 3)))
            .Concat(FourDecimal.Select(code => new Currency(code, 4)))
            .ToDictionary(currency => currency.Code, StringComparer.Ordinal);

    private Currency(string code, int minorUnits)
    {
        Code = code;
        MinorUnits = minorUnits;
    }

    /// <summary>Upper-case ISO 4217 code, e.g. <c>USD</c>.</summary>
    public string Code { get; }

    /// <summary>Digits after the decimal point in an invoiced amount (2 for USD, 0 for JPY, 3 for KWD).</summary>
    public int MinorUnits { get; }

    public static Currency Usd { get; } = ByCode["USD"];

    /// <summary>Parses an ISO 4217 code (upper case, as the standard writes it); returns false for anything else.</summary>
    public static bool TryParse(string? code, out Currency currency)
    {
        currency = Usd;
        if (code is null || !ByCode.TryGetValue(code, out var found))
        {
            return false;
        }

        currency = found;
        return true;
    }

    public static Currency Parse(string code) =>
        TryParse(code, out var currency) ? currency : throw new FormatException($"'{code}' is not an ISO 4217 currency code.");

    /// <summary>How to describe the accepted codes in an error.</summary>
    public static string Expectation => $"an ISO 4217 currency code in upper case, such as USD, EUR, JPY or KWD ({ByCode.Count} codes are accepted)";

    public override string ToString() => Code;
}

/// <summary>Writes a currency as its code and reads it back (through <see cref="Currency.Parse"/>).</summary>
public sealed class CurrencyJsonConverter : JsonConverter<Currency>
{
    public override Currency Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Currency.Parse(reader.GetString() ?? throw new JsonException("A currency is a string such as \"USD\"."));

    public override void Write(Utf8JsonWriter writer, Currency value, JsonSerializerOptions options) => writer.WriteStringValue(value.Code);
}
