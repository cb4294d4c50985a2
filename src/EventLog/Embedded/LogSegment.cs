namespace Tally.EventLog.Embedded;

/// <summary>
/// One segment file of a partition, named by the position of its first record. Holds a sparse index
/// (file offset of every <see cref="IndexInterval"/>-th record) so a reader can start mid-file cheaply.
/// </summary>
internal sealed class LogSegment(long basePosition, string path)
{
    public const int IndexInterval = 1024;

    private readonly List<long> _index = [];
    private long _endPosition = -1;

    public long BasePosition { get; } = basePosition;

    public string Path { get; } = path;

    /// <summary>Bytes written so far; owned by the writer.</summary>
    public long Length { get; set; }

    /// <summary>Records written so far; owned by the writer.</summary>
    public long RecordCount { get; set; }

    /// <summary>Position after the last record once the segment is rolled (sealed), otherwise -1.</summary>
    public long EndPosition
    {
        get => Volatile.Read(ref _endPosition);
        set => Volatile.Write(ref _endPosition, value);
    }

    public static string FileName(long basePosition) => $"{basePosition:D20}.seg";

    /// <summary>Called by the writer for every record, before its bytes are on disk.</summary>
    public void NoteRecord(long fileOffset)
    {
        if (RecordCount % IndexInterval == 0)
        {
            lock (_index)
            {
                _index.Add(fileOffset);
            }
        }

        RecordCount++;
    }

    /// <summary>
    /// Forgets records written after the last commit: the segment is the partition's active one again, with
    /// <paramref name="length"/> bytes and <paramref name="records"/> records. Writer only.
    /// </summary>
    public void Restore(long length, long records)
    {
        Length = length;
        RecordCount = records;
        EndPosition = -1;
        lock (_index)
        {
            var keep = (int)((records + IndexInterval - 1) / IndexInterval);
            if (_index.Count > keep)
            {
                _index.RemoveRange(keep, _index.Count - keep);
            }
        }
    }

    /// <summary>The nearest indexed (position, offset) at or before <paramref name="position"/>.</summary>
    public (long Position, long Offset) Floor(long position)
    {
        var slot = (position - BasePosition) / IndexInterval;
        lock (_index)
        {
            slot = Math.Min(slot, _index.Count - 1);
            return slot < 0 ? (BasePosition, 0) : (BasePosition + (slot * IndexInterval), _index[(int)slot]);
        }
    }
}
