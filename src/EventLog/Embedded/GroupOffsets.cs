using System.Buffers.Binary;
using System.IO.Hashing;

namespace Tally.EventLog.Embedded;

/// <summary>
/// A consumer group's committed positions: one file per group holding every partition's position and
/// a CRC, replaced atomically on each commit.
/// </summary>
internal sealed class GroupOffsets
{
    private readonly string _path;
    private readonly long[] _positions;
    private readonly Lock _gate = new();

    private GroupOffsets(string path, long[] positions)
    {
        _path = path;
        _positions = positions;
    }

    public static GroupOffsets Load(string groupsDirectory, string group, int partitions)
    {
        Directory.CreateDirectory(groupsDirectory);
        var path = Path.Combine(groupsDirectory, group + ".offsets");
        var positions = new long[partitions];
        if (File.Exists(path))
        {
            var bytes = File.ReadAllBytes(path);
            var body = bytes.AsSpan(0, Math.Max(0, bytes.Length - 4));
            if (bytes.Length != (partitions * 8) + 4 || Crc32.HashToUInt32(body) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(body.Length)))
            {
                throw new InvalidDataException($"The committed positions file '{path}' is corrupt or was written for another partition count.");
            }

            for (var i = 0; i < partitions; i++)
            {
                positions[i] = BinaryPrimitives.ReadInt64LittleEndian(body[(i * 8)..]);
            }
        }

        return new GroupOffsets(path, positions);
    }

    public long Get(int partition)
    {
        lock (_gate)
        {
            return _positions[partition];
        }
    }

    /// <summary>Stores a partition's position durably. Serialized so concurrent commits never lose one another.</summary>
    public void Commit(int partition, long nextPosition)
    {
        lock (_gate)
        {
            _positions[partition] = nextPosition;
            var bytes = new byte[(_positions.Length * 8) + 4];
            for (var i = 0; i < _positions.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), _positions[i]);
            }

            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)));
            AtomicFile.Write(_path, bytes);
        }
    }
}
