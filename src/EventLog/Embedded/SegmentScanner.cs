using Microsoft.Extensions.Logging;

namespace Tally.EventLog.Embedded;

/// <summary>Rebuilds a segment's record count and sparse index on open, truncating a torn or uncommitted tail.</summary>
internal static class SegmentScanner
{
    /// <param name="segment">The segment to scan.</param>
    /// <param name="isLast">Whether it is the partition's last segment, the only one that may have a tail to cut.</param>
    /// <param name="committedRecords">
    /// For the last segment, how many of its records the commit journal counts as committed; records after
    /// them belong to a group that never committed and are cut. Null when there is no journal (a directory of
    /// an earlier version), where every intact record counts.
    /// </param>
    /// <param name="logger">Where cuts are reported.</param>
    public static void Recover(LogSegment segment, bool isLast, long? committedRecords, ILogger logger)
    {
        using var stream = new FileStream(segment.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        var fileLength = stream.Length;
        var buffer = new byte[1024 * 1024];
        var bufferStart = 0L;
        var bufferCount = 0;
        var offset = 0L;
        while (offset < fileLength && !(isLast && segment.RecordCount == committedRecords))
        {
            var local = (int)(offset - bufferStart);
            var status = RecordFrame.Check(buffer.AsSpan(local, bufferCount - local), out var frameLength);
            if (status == RecordFrame.Status.Incomplete && bufferStart + bufferCount < fileLength)
            {
                if (frameLength > buffer.Length)
                {
                    Array.Resize(ref buffer, frameLength);
                }

                stream.Position = offset;
                bufferStart = offset;
                bufferCount = stream.ReadAtLeast(buffer, Math.Min(buffer.Length, (int)(fileLength - offset)), throwOnEndOfStream: false);
                continue;
            }

            if (status != RecordFrame.Status.Complete)
            {
                break;
            }

            segment.NoteRecord(offset);
            offset += frameLength;
        }

        segment.Length = offset;
        if (offset == fileLength)
        {
            return;
        }

        if (!isLast)
        {
            throw new InvalidDataException(
                $"Event log segment '{segment.Path}' is corrupt at byte {offset} of {fileLength}, and it is not the last segment; refusing to drop later records.");
        }

        if (segment.RecordCount == committedRecords)
        {
            EventLogLog.UncommittedTailDropped(logger, segment.Path, fileLength - offset, segment.BasePosition + segment.RecordCount);
        }
        else
        {
            // Only a record that was never acknowledged can be torn: AppendAsync completes after fsync.
            EventLogLog.TornTailTruncated(logger, segment.Path, fileLength - offset, segment.RecordCount);
        }

        stream.SetLength(offset);
        stream.Flush(flushToDisk: true);
    }
}
