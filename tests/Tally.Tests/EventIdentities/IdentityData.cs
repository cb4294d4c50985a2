using System.Buffers.Binary;

namespace Tally.Tests.EventIdentities;

/// <summary>Distinct random identity digests from a fixed seed, so every run sees the same values.</summary>
public sealed class IdentityData(int seed)
{
    private readonly Random _random = new(seed);
    private readonly HashSet<UInt128> _issued = [];

    /// <summary>Identities never issued before by this instance.</summary>
    public UInt128[] NewIdentities(int count)
    {
        var result = new UInt128[count];
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < count;)
        {
            _random.NextBytes(bytes);
            var identity = BinaryPrimitives.ReadUInt128LittleEndian(bytes);
            if (_issued.Add(identity))
            {
                result[i++] = identity;
            }
        }

        return result;
    }

    public ulong NewPayload()
    {
        Span<byte> bytes = stackalloc byte[8];
        _random.NextBytes(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    /// <summary>Each identity with a fresh random payload digest.</summary>
    public KeyValuePair<UInt128, ulong>[] WithPayloads(IEnumerable<UInt128> identities) =>
        [.. identities.Select(identity => KeyValuePair.Create(identity, NewPayload()))];
}
