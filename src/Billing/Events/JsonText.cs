using System.Buffers;
using System.Text;

namespace Tally.Billing.Events;

/// <summary>Checks on the raw UTF-8 of JSON strings, so the common case needs no decoding or allocation.</summary>
internal static class JsonText
{
    // What Utf8JsonWriter's default encoder writes unchanged: printable ASCII but for " & ' + < > \ and `.
    private static readonly SearchValues<byte> Verbatim = SearchValues.Create(
        "\u0020!#$%()*,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~"u8);

    private static readonly SearchValues<byte> ControlLeads = SearchValues.Create([0x7F, 0xC2]);

    /// <summary>True when <c>Utf8JsonWriter</c> (default encoder) writes these unescaped bytes exactly as they are.</summary>
    public static bool IsVerbatim(ReadOnlySpan<byte> unescaped) => !unescaped.ContainsAnyExcept(Verbatim);

    /// <summary>
    /// The problem of an identifier given as valid, unescaped UTF-8 (what <see cref="Limits.IdentifierProblem"/>
    /// says of the decoded text), without decoding it when it is plain.
    /// </summary>
    public static string? IdentifierProblem(ReadOnlySpan<byte> utf8, int maxLength, string hint, bool verbatim)
    {
        if (verbatim && utf8.Length is > 0 and var plain && plain <= maxLength)
        {
            // Printable ASCII only: no control characters, one character per byte.
            return null;
        }

        if (utf8.Length == 0)
        {
            return $"is empty{hint}; send a non-empty string.";
        }

        if (utf8.Length > maxLength && Encoding.UTF8.GetCharCount(utf8) is var length && length > maxLength)
        {
            return $"is {length} characters long; at most {maxLength} are allowed.";
        }

        return HasControlCharacters(utf8) ? ControlCharacterProblem : null;
    }

    public const string ControlCharacterProblem = "contains a control character (such as NUL, a tab or a line break); send printable text.";

    /// <summary>C0 (possible only through escapes), DEL or C1 (U+0080-U+009F, encoded C2 80-C2 9F) in valid UTF-8.</summary>
    public static bool HasControlCharacters(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0)
        {
            return true;
        }

        var at = 0;
        while (at < utf8.Length)
        {
            var found = utf8[at..].IndexOfAny(ControlLeads);
            if (found < 0)
            {
                return false;
            }

            at += found;
            if (utf8[at] == 0x7F || (at + 1 < utf8.Length && utf8[at + 1] <= 0x9F))
            {
                return true;
            }

            at++;
        }

        return false;
    }
}
