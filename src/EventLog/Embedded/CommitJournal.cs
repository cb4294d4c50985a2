using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Extensions.Logging;

namespace Tally.EventLog.Embedded;

/// <summary>
/// The commit point of every group commit: a file of fixed-size, CRC-protected entries, each holding a
/// sequence number and every partition's end position after that group. The last valid entry says which
/// records are committed; anything in the segment files after those positions belongs to a group that never
/// committed. Layout: a 16-byte header <c>[magic "TALLYCJ1"][u32 partitions][u32 CRC-32 of both]</c>, then
/// entries <c>[u64 sequence][i64 end position × partitions][u32 CRC-32 of both]</c>, sequence numbers
/// consecutive. A new file (first use, compaction, repair) is always written whole and renamed into place,
/// so it holds at least one valid entry; appends after it can only be torn at the tail.
/// </summary>
internal sealed class CommitJournal : IDisposable
{
    public const string FileName = "commits.journal";

    /// <summary>Size past which the next group first rewrites the journal with a single entry.</summary>
    public const long DefaultCompactBytes = 256 * 1024;

    private const int HeaderSize = 16;
    private static readonly byte[] Magic = "TALLYCJ1"u8.ToArray();

    private readonly string _path;
    private readonly int _partitions;
    private readonly byte[] _entry;
    private readonly WriteSteps _steps;
    private FileStream? _stream;
    private long _length;
    private ulong _sequence;

    private CommitJournal(string directory, int partitions, WriteSteps steps)
    {
        _path = Path.Combine(directory, FileName);
        _partitions = partitions;
        _entry = new byte[EntrySize(partitions)];
        _steps = steps;
    }

    /// <summary>
    /// Whether the next entry must go into a new file: there is no journal yet, an earlier failure left its
    /// content uncertain, or the committed positions changed on open.
    /// </summary>
    public bool NeedsRewrite => _stream is null;

    /// <summary>The journal file's full path.</summary>
    public string FilePath => _path;

    /// <summary>Bytes in the journal file.</summary>
    public long Length => _length;

    /// <summary>
    /// Opens the journal in <paramref name="directory"/> and returns the committed end position of every
    /// partition, or null when the directory has no journal (new, or written by an earlier version).
    /// </summary>
    public static (CommitJournal Journal, long[]? Committed) Open(string directory, int partitions, WriteSteps steps, ILogger logger)
    {
        var journal = new CommitJournal(directory, partitions, steps);
        if (!File.Exists(journal._path))
        {
            return (journal, null);
        }

        var bytes = File.ReadAllBytes(journal._path);
        var committed = journal.ReadLastEntry(bytes, out var validLength);
        journal._length = validLength;
        try
        {
            journal._stream = new FileStream(journal._path, FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0);
            if (validLength < bytes.Length)
            {
                // A torn append from a crash; cutting it needs no free space, unlike a rewrite.
                EventLogLog.JournalTailTruncated(logger, journal._path, bytes.Length - validLength);
                journal._stream.SetLength(validLength);
                journal._stream.Flush(flushToDisk: true);
            }
        }
        catch (IOException)
        {
            journal.Close();
        }

        return (journal, committed);
    }

    /// <summary>
    /// Appends and fsyncs the entry that commits <paramref name="positions"/>. If that fails, the entry is cut
    /// again (and the cut fsync'd) before this throws, so a refused group can never count as committed later;
    /// if even the cut fails, <see cref="NeedsRewrite"/> becomes true.
    /// </summary>
    public void Append(ReadOnlySpan<long> positions)
    {
        var stream = _stream ?? throw new InvalidOperationException("The commit journal must be rewritten before it takes entries.");
        Encode(_sequence + 1, positions);
        _steps.Reached(WriteStep.JournalWrite, -1, _entry.Length);
        try
        {
            stream.Position = _length;
            stream.Write(_entry);
            _steps.Reached(WriteStep.JournalWritten, -1, 0);
            stream.Flush(flushToDisk: true);

            // Inside the try: whatever fails once the entry is written must cut it, or a refused group would count.
            _steps.Reached(WriteStep.JournalSynced, -1, 0);
        }
        catch
        {
            try
            {
                stream.SetLength(_length);
                stream.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
                Close();
            }

            throw;
        }

        _length += _entry.Length;
        _sequence++;
    }

    /// <summary>
    /// Replaces the journal with a new file holding one entry for <paramref name="positions"/>: temp file,
    /// fsync, rename, directory fsync. A failure before the rename keeps the old journal in use; after it, which
    /// file survives a crash is unknown, so <see cref="NeedsRewrite"/> stays true until a rewrite completes.
    /// </summary>
    public void Rewrite(ReadOnlySpan<long> positions)
    {
        var temp = _path + ".tmp";
        Encode(_sequence + 1, positions);
        _steps.Reached(WriteStep.JournalRewrite, -1, HeaderSize + _entry.Length);
        var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        var renamed = false;
        try
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], _partitions);
            BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Crc32.HashToUInt32(header[..12]));
            stream.Write(header);
            stream.Write(_entry);
            stream.Flush(flushToDisk: true);
            File.Move(temp, _path, overwrite: true);
            renamed = true;
            Close();
            DirectorySync.Flush(Path.GetDirectoryName(_path)!);
        }
        catch
        {
            stream.Dispose();
            if (!renamed)
            {
                TryDelete(temp);
            }

            throw;
        }

        // The handle was opened on the temp file, so it follows the renamed inode.
        _stream = stream;
        _length = HeaderSize + _entry.Length;
        _sequence++;
    }

    /// <summary>Makes the next entry go into a new file, e.g. because the committed positions changed on open.</summary>
    public void RequireRewrite() => Close();

    public void Dispose() => Close();

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temp file is overwritten by the next rewrite.
        }
    }

    private static int EntrySize(int partitions) => 8 + (8 * partitions) + 4;

    private void Close()
    {
        _stream?.Dispose();
        _stream = null;
    }

    private void Encode(ulong sequence, ReadOnlySpan<long> positions)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_entry, sequence);
        for (var i = 0; i < _partitions; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_entry.AsSpan(8 + (8 * i)), positions[i]);
        }

        var body = _entry.AsSpan(0, _entry.Length - 4);
        BinaryPrimitives.WriteUInt32LittleEndian(_entry.AsSpan(body.Length), Crc32.HashToUInt32(body));
    }

    private long[] ReadLastEntry(byte[] bytes, out long validLength)
    {
        var header = bytes.AsSpan(0, Math.Min(bytes.Length, HeaderSize));
        if (header.Length < HeaderSize || !header[..8].SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != Crc32.HashToUInt32(header[..12]))
        {
            throw new InvalidDataException($"The event log commit journal '{_path}' is not readable.");
        }

        var stored = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (stored != _partitions)
        {
            throw new InvalidDataException($"The event log commit journal '{_path}' was written for {stored} partitions, not {_partitions}.");
        }

        long[]? committed = null;
        validLength = HeaderSize;
        for (var offset = HeaderSize; offset + _entry.Length <= bytes.Length; offset += _entry.Length)
        {
            var entry = bytes.AsSpan(offset, _entry.Length);
            var body = entry[..^4];
            var sequence = BinaryPrimitives.ReadUInt64LittleEndian(body);
            if (Crc32.HashToUInt32(body) != BinaryPrimitives.ReadUInt32LittleEndian(entry[^4..])
                || (committed is not null && sequence != _sequence + 1))
            {
                break;
            }

            committed ??= new long[_partitions];
            for (var i = 0; i < _partitions; i++)
            {
                committed[i] = BinaryPrimitives.ReadInt64LittleEndian(body[(8 + (8 * i))..]);
            }

            _sequence = sequence;
            validLength = offset + _entry.Length;
        }

        // Written whole and renamed into place, a journal always starts with a valid entry.
        return committed ?? throw new InvalidDataException($"The event log commit journal '{_path}' holds no valid entry.");
    }
}
