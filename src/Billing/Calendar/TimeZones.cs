namespace Tally.Billing.Calendar;

/// <summary>
/// Customers' time zones: IANA ids (<c>Europe/Berlin</c>, <c>UTC</c>) from the system's time zone
/// database, which is what .NET reads on Linux. Windows ids are refused, so one zone has one spelling.
/// </summary>
public static class TimeZones
{
    /// <summary>A customer's zone when it names none.</summary>
    public const string Utc = "UTC";

    /// <summary>The longest id accepted (the longest IANA id is 32 characters).</summary>
    public const int MaxIdLength = 64;

    /// <summary>The zone named <paramref name="id"/>, when it is an IANA id the system knows.</summary>
    public static bool TryFind(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (id == Utc)
        {
            return true;
        }

        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength || Limits.HasControlCharacters(id)
            || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) || !found.HasIanaId)
        {
            return false;
        }

        zone = found;
        return true;
    }

    /// <summary>The zone of a stored id; an id that no longer resolves (a system without it) is an error, never silently UTC.</summary>
    public static TimeZoneInfo Find(string id) =>
        TryFind(id, out var zone) ? zone : throw new InvalidOperationException($"Time zone '{id}' is not in this system's IANA time zone database.");

    /// <summary>What a caller must send, for error messages.</summary>
    public const string Expectation = "an IANA time zone id such as \"Europe/Berlin\", \"America/New_York\" or \"UTC\"";
}
