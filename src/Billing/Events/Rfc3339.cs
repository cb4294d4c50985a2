using System.Globalization;

namespace Tally.Billing.Events;

/// <summary>
/// CloudEvents' <c>time</c> on UTF-8 bytes: the usual RFC 3339 form (<c>2026-11-25T10:00:00.123Z</c>,
/// <c>+02:00</c> offsets) parsed without allocating, anything else through the lenient
/// <see cref="DateTimeOffset.TryParse(string?, IFormatProvider?, DateTimeStyles, out DateTimeOffset)"/>
/// Tally has always accepted (no offset means UTC); and the one way Tally writes an instant (UTC,
/// trailing zeros of the fraction trimmed, as <c>Utf8JsonWriter</c> writes a <see cref="DateTime"/>).
/// </summary>
internal static class Rfc3339
{
    /// <summary>Characters <see cref="Format"/> writes at most.</summary>
    public const int MaxFormattedLength = 28;

    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset instant)
    {
        if (TryParseStrict(text, out instant))
        {
            return true;
        }

        // The rare other spellings: "T" required, as before; the slow path allocates.
        var fallback = System.Text.Encoding.UTF8.GetString(text);
        if (fallback.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(fallback, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant))
        {
            instant = instant.ToUniversalTime();
            return true;
        }

        instant = default;
        return false;
    }

    /// <summary>Writes <paramref name="instant"/> in UTC into <paramref name="output"/>; returns the bytes written.</summary>
    public static int Format(DateTimeOffset instant, Span<byte> output)
    {
        var utc = instant.UtcDateTime;
        utc.Deconstruct(out var year, out var month, out var day);
        var seconds = (int)(utc.Ticks % TimeSpan.TicksPerDay / TimeSpan.TicksPerSecond);
        Digits(output, 0, year, 4);
        output[4] = (byte)'-';
        Digits(output, 5, month, 2);
        output[7] = (byte)'-';
        Digits(output, 8, day, 2);
        output[10] = (byte)'T';
        Digits(output, 11, seconds / 3600, 2);
        output[13] = (byte)':';
        Digits(output, 14, seconds / 60 % 60, 2);
        output[16] = (byte)':';
        Digits(output, 17, seconds % 60, 2);
        var at = 19;
        var fraction = (int)(utc.Ticks % TimeSpan.TicksPerSecond);
        if (fraction != 0)
        {
            var digits = 7;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }

            output[at++] = (byte)'.';
            Digits(output, at, fraction, digits);
            at += digits;
        }

        output[at++] = (byte)'Z';
        return at;
    }

    private static bool TryParseStrict(ReadOnlySpan<byte> s, out DateTimeOffset instant)
    {
        instant = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || (s[10] | 0x20) != 't' || s[13] != ':' || s[16] != ':'
            || !Number(s, 0, 4, out var year) || !Number(s, 5, 2, out var month) || !Number(s, 8, 2, out var day)
            || !Number(s, 11, 2, out var hour) || !Number(s, 14, 2, out var minute) || !Number(s, 17, 2, out var second))
        {
            return false;
        }

        var at = 19;
        long ticks = 0;
        if (s[at] == '.')
        {
            var start = ++at;
            var scale = TimeSpan.TicksPerSecond;
            while (at < s.Length && (uint)(s[at] - '0') <= 9)
            {
                if (scale > 1)
                {
                    scale /= 10;
                    ticks += (s[at] - '0') * scale;
                }

                at++;
            }

            if (at == start)
            {
                return false;
            }
        }

        if (at >= s.Length)
        {
            return false;
        }

        var offset = TimeSpan.Zero;
        if ((s[at] | 0x20) == 'z' && at + 1 == s.Length)
        {
            // UTC
        }
        else if ((s[at] == '+' || s[at] == '-') && at + 6 == s.Length && s[at + 3] == ':'
            && Number(s, at + 1, 2, out var offsetHours) && Number(s, at + 4, 2, out var offsetMinutes)
            && offsetHours <= 23 && offsetMinutes <= 59)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (s[at] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var local = new DateOnly(year, month, day).DayNumber * TimeSpan.TicksPerDay
            + (((hour * 3600L) + (minute * 60L) + second) * TimeSpan.TicksPerSecond) + ticks;
        var utcTicks = local - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        instant = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    private static bool Number(ReadOnlySpan<byte> s, int start, int length, out int value)
    {
        value = 0;
        for (var i = start; i < start + length; i++)
        {
            var digit = (uint)(s[i] - '0');
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + (int)digit;
        }

        return true;
    }

    private static void Digits(Span<byte> output, int at, int value, int count)
    {
        for (var i = at + count - 1; i >= at; i--)
        {
            output[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
