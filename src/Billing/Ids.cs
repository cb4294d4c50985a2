using System.Security.Cryptography;

namespace Tally.Billing;

/// <summary>Creates identifiers: prefixed, time-ordered ids such as <c>mtr_01936f...</c>, and ULIDs for OpenMeter's resources.</summary>
public static class Ids
{
    private const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New(string prefix) => $"{prefix}_{Guid.CreateVersion7():N}";

    /// <summary>
    /// A ULID (26 Crockford base-32 characters: 48 bits of Unix milliseconds, then 80 random bits), the
    /// id format OpenMeter's API uses for customers, plans, subscriptions, entitlements and grants.
    /// Written here because the domain references no package; the format is a dozen lines.
    /// </summary>
    public static string NewUlid(DateTimeOffset? at = null)
    {
        Span<byte> bytes = stackalloc byte[16];
        var milliseconds = (ulong)(at ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(milliseconds >> (8 * (5 - i)));
        }

        RandomNumberGenerator.Fill(bytes[6..]);
        var value = new UInt128(
            ((ulong)bytes[0] << 56) | ((ulong)bytes[1] << 48) | ((ulong)bytes[2] << 40) | ((ulong)bytes[3] << 32) | ((ulong)bytes[4] << 24) | ((ulong)bytes[5] << 16) | ((ulong)bytes[6] << 8) | bytes[7],
            BitConverter.ToUInt64([bytes[15], bytes[14], bytes[13], bytes[12], bytes[11], bytes[10], bytes[9], bytes[8]]));
        Span<char> text = stackalloc char[26];
        for (var i = 25; i >= 0; i--)
        {
            text[i] = Crockford[(int)(value & 31)];
            value >>= 5;
        }

        return new string(text);
    }

    /// <summary>True when <paramref name="text"/> has the shape of a ULID.</summary>
    public static bool IsUlid(string? text) =>
        text is { Length: 26 } && text[0] is >= '0' and <= '7' && text.All(c => Crockford.Contains(char.ToUpperInvariant(c), StringComparison.Ordinal));
}
