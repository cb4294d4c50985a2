using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Tally.EventLog;

/// <summary>
/// Maps a record key to its partition. Both logs use this one function so the same key lands in the
/// same partition number whichever log is configured. It is Kafka's murmur2 (as used by the Java
/// client's default partitioner and librdkafka's <c>murmur2</c> partitioner) over the UTF-8 key bytes,
/// so Java producers and Kafka Streams apps co-partition with Tally on the same topic.
/// </summary>
internal static class KeyPartitioner
{
    public static int ForKey(string key, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        var byteCount = Encoding.UTF8.GetByteCount(key);
        byte[]? rented = null;
        Span<byte> bytes = byteCount <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(byteCount));
        try
        {
            var written = Encoding.UTF8.GetBytes(key, bytes);
            return (Murmur2(bytes[..written]) & 0x7fffffff) % partitionCount;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    internal static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint M = 0x5bd1e995;
        const int R = 24;
        var h = 0x9747b28cu ^ (uint)data.Length;
        var whole = data.Length & ~3;
        for (var i = 0; i < whole; i += 4)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        var tail = data[whole..];
        if (tail.Length == 3)
        {
            h ^= (uint)tail[2] << 16;
        }

        if (tail.Length >= 2)
        {
            h ^= (uint)tail[1] << 8;
        }

        if (tail.Length >= 1)
        {
            h ^= tail[0];
            h *= M;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return (int)h;
    }
}
