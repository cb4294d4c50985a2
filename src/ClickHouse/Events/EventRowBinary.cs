using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Tally.Billing.Events;

namespace Tally.ClickHouse.Events;

/// <summary>
/// Encodes stored events in ClickHouse's RowBinary format, the columns in the order the INSERT names them:
/// strings (LowCardinality(String) too) as a LEB128 length and UTF-8 bytes, DateTime64(3) as milliseconds
/// since the epoch in an Int64, DateTime as seconds in a UInt32, integers little-endian, UInt128 as 16 bytes.
/// </summary>
internal static class EventRowBinary
{
    public const string InsertEventsSql =
        "INSERT INTO events (tenant_id, type, subject, time, source, id, data, ingested_at, identity, payload, log_partition, log_position) FORMAT RowBinary";

    public const string InsertTouchesSql = "INSERT INTO usage_touches (tenant_id, hour) FORMAT RowBinary";

    public static void WriteEvents(IBufferWriter<byte> rows, IReadOnlyList<StoredEvent> events)
    {
        foreach (var stored in events)
        {
            WriteString(rows, stored.Identity.TenantId);
            WriteString(rows, stored.Type);
            WriteString(rows, stored.Subject);
            WriteInt64(rows, stored.Time.ToUnixTimeMilliseconds());
            WriteString(rows, stored.Identity.Source);
            WriteString(rows, stored.Identity.Id);
            WriteString(rows, stored.Data);
            WriteInt64(rows, stored.IngestedAt.ToUnixTimeMilliseconds());
            var span = rows.GetSpan(16 + 8 + 2 + 8);
            BinaryPrimitives.WriteUInt128LittleEndian(span, stored.IdentityDigest);
            BinaryPrimitives.WriteUInt64LittleEndian(span[16..], stored.PayloadDigest);
            BinaryPrimitives.WriteUInt16LittleEndian(span[24..], checked((ushort)stored.Partition));
            BinaryPrimitives.WriteUInt64LittleEndian(span[26..], checked((ulong)stored.Position));
            rows.Advance(34);
        }
    }

    /// <summary>One <c>usage_touches</c> row: the tenant and the hour (ticks of its start, UTC).</summary>
    public static void WriteTouch(IBufferWriter<byte> rows, string tenantId, long hourTicks)
    {
        WriteString(rows, tenantId);
        var span = rows.GetSpan(4);
        BinaryPrimitives.WriteUInt32LittleEndian(span, checked((uint)new DateTimeOffset(hourTicks, TimeSpan.Zero).ToUnixTimeSeconds()));
        rows.Advance(4);
    }

    private static void WriteString(IBufferWriter<byte> rows, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var span = rows.GetSpan(length + 5);
        var written = 0;
        var rest = (uint)length;
        while (rest >= 0x80)
        {
            span[written++] = (byte)(rest | 0x80);
            rest >>= 7;
        }

        span[written++] = (byte)rest;
        written += Encoding.UTF8.GetBytes(value, span[written..]);
        rows.Advance(written);
    }

    private static void WriteInt64(IBufferWriter<byte> rows, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(rows.GetSpan(8), value);
        rows.Advance(8);
    }
}
