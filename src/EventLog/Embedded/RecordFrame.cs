using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Tally.Billing.EventLog;

namespace Tally.EventLog.Embedded;

/// <summary>
/// On-disk framing of one record: <c>[u32 payload length][u32 CRC-32 of payload][payload]</c> where the
/// payload is <c>[u16 key length][key UTF-8][value]</c>. The CRC lets recovery tell a torn tail (a crash
/// mid-write) from a complete record; a minimum payload length keeps zero-filled tails from passing.
/// </summary>
internal static class RecordFrame
{
    public const int HeaderSize = 8;
    public const int MaxKeyBytes = ushort.MaxValue;
    public const int MaxPayloadBytes = 64 * 1024 * 1024;

    public enum Status
    {
        Complete,
        Incomplete,
        Corrupt,
    }

    public static int SizeOf(LogRecord record) =>
        HeaderSize + 2 + Encoding.UTF8.GetByteCount(record.Key) + record.Value.Length;

    /// <summary>Rejects a record the framing cannot hold, before it reaches the writer loop.</summary>
    public static void Validate(LogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(record.Key, nameof(record));
        var keyBytes = Encoding.UTF8.GetByteCount(record.Key);
        if (keyBytes > MaxKeyBytes)
        {
            throw new ArgumentException($"Record key is {keyBytes} UTF-8 bytes; the limit is {MaxKeyBytes}.", nameof(record));
        }

        if (2 + keyBytes + record.Value.Length > MaxPayloadBytes)
        {
            throw new ArgumentException($"Record is {2 + keyBytes + record.Value.Length} bytes; the limit is {MaxPayloadBytes}.", nameof(record));
        }
    }

    public static int Encode(IBufferWriter<byte> output, LogRecord record)
    {
        var keyBytes = Encoding.UTF8.GetByteCount(record.Key);
        if (keyBytes > MaxKeyBytes)
        {
            throw new ArgumentException($"Record key is {keyBytes} UTF-8 bytes; the limit is {MaxKeyBytes}.", nameof(record));
        }

        var payloadLength = 2 + keyBytes + record.Value.Length;
        if (payloadLength > MaxPayloadBytes)
        {
            throw new ArgumentException($"Record is {payloadLength} bytes; the limit is {MaxPayloadBytes}.", nameof(record));
        }

        var frameLength = HeaderSize + payloadLength;
        var span = output.GetSpan(frameLength)[..frameLength];
        var payload = span[HeaderSize..];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, (ushort)keyBytes);
        Encoding.UTF8.GetBytes(record.Key, payload.Slice(2, keyBytes));
        record.Value.Span.CopyTo(payload[(2 + keyBytes)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Crc32.HashToUInt32(payload));
        output.Advance(frameLength);
        return frameLength;
    }

    /// <summary>Checks the frame at the start of <paramref name="data"/> without decoding it.</summary>
    public static Status Check(ReadOnlySpan<byte> data, out int frameLength)
    {
        frameLength = 0;
        if (data.Length < HeaderSize)
        {
            return Status.Incomplete;
        }

        var payloadLength = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (payloadLength < 2 || payloadLength > MaxPayloadBytes)
        {
            return Status.Corrupt;
        }

        frameLength = HeaderSize + (int)payloadLength;
        if (data.Length < frameLength)
        {
            return Status.Incomplete;
        }

        var payload = data.Slice(HeaderSize, (int)payloadLength);
        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(payload);
        if (keyLength > payloadLength - 2 || Crc32.HashToUInt32(payload) != BinaryPrimitives.ReadUInt32LittleEndian(data[4..]))
        {
            return Status.Corrupt;
        }

        return Status.Complete;
    }

    /// <summary>Reads the payload length from a header so a reader knows how many bytes to fetch.</summary>
    public static int FrameLength(ReadOnlySpan<byte> header) =>
        HeaderSize + (int)BinaryPrimitives.ReadUInt32LittleEndian(header);

    public static StoredRecord Decode(ReadOnlySpan<byte> frame, int partition, long position)
    {
        var payload = frame[HeaderSize..];
        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(payload);
        var key = Encoding.UTF8.GetString(payload.Slice(2, keyLength));
        var value = payload[(2 + keyLength)..].ToArray();
        return new StoredRecord(partition, position, key, value);
    }
}
