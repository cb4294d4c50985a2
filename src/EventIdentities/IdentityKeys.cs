using System.Buffers.Binary;

namespace Tally.EventIdentities;

/// <summary>
/// The key layout, ordered so one partition's identities are contiguous and sort like their digests:
/// an identity is <c>partition (2 bytes) | digest (16 bytes)</c>, big-endian; its value the 8-byte
/// payload digest. Metadata lives under partition <see cref="MetadataPrefix"/>, which no data key can
/// use: <c>FF FF | partition (2 bytes) | tag (1 byte)</c>, its value a big-endian 64-bit integer.
/// </summary>
internal static class IdentityKeys
{
    public const int IdentityKeyLength = 18;
    public const int MetadataKeyLength = 5;
    public const int ValueLength = 8;

    /// <summary>The highest partition an index can hold; 0xFFFF is the metadata prefix.</summary>
    public const int MaxPartition = 0xFFFE;

    public const ushort MetadataPrefix = 0xFFFF;
    public const byte CountTag = (byte)'c';
    public const byte CompleteThroughTag = (byte)'p';

    public static void WriteIdentity(Span<byte> destination, int partition, UInt128 identity)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)partition);
        BinaryPrimitives.WriteUInt128BigEndian(destination[2..], identity);
    }

    public static byte[] Metadata(int partition, byte tag)
    {
        var key = new byte[MetadataKeyLength];
        BinaryPrimitives.WriteUInt16BigEndian(key, MetadataPrefix);
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(2), (ushort)partition);
        key[4] = tag;
        return key;
    }

    public static byte[] Value(ulong value)
    {
        var bytes = new byte[ValueLength];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    public static void ThrowIfInvalidPartition(int partition)
    {
        if (partition is < 0 or > MaxPartition)
        {
            throw new ArgumentOutOfRangeException(nameof(partition), partition, $"A partition must be between 0 and {MaxPartition}.");
        }
    }
}
