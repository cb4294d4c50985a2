namespace Tally.ClickHouse;

/// <summary>
/// A statement ClickHouse (server or embedded chDB) rejected. Callers see this instead of driver or
/// native types, on either transport.
/// </summary>
public sealed class ClickHouseQueryException : Exception
{
    /// <summary>Creates the exception from ClickHouse's error code and message.</summary>
    public ClickHouseQueryException(int code, string message, Exception? innerException = null)
        : base(message, innerException) => Code = code;

    /// <summary>ClickHouse's numeric error code (e.g. 62 = SYNTAX_ERROR, 60 = UNKNOWN_TABLE); 0 when unknown.</summary>
    public int Code { get; }

    /// <summary>Extracts the code from a ClickHouse message of the form <c>Code: NNN. DB::Exception: ...</c>; 0 when absent.</summary>
    public static int ParseCode(string message)
    {
        const string marker = "Code: ";
        var start = message.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return 0;
        }

        start += marker.Length;
        var end = start;
        while (end < message.Length && char.IsAsciiDigit(message[end]))
        {
            end++;
        }

        return int.TryParse(message.AsSpan(start, end - start), out var code) ? code : 0;
    }
}
