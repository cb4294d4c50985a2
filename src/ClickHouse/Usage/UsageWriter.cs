using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tally.Billing.Usage;

namespace Tally.ClickHouse.Usage;

/// <summary>The aggregator's writes to the usage tables (see <see cref="UsageSchema"/>).</summary>
public sealed class UsageWriter(IClickHouse clickHouse) : IUsageWriter
{
    /// <summary>Records that batch [start, end) of a partition is about to be written.</summary>
    public Task MarkBatchAsync(int partition, long batchStart, long batchEnd, CancellationToken cancellationToken) =>
        clickHouse.ExecuteAsync(
            "INSERT INTO usage_batches (log_partition, batch_start, batch_end) VALUES ({partition:UInt32}, {start:UInt64}, {end:UInt64})",
            new Dictionary<string, object?> { ["partition"] = (uint)partition, ["start"] = (ulong)batchStart, ["end"] = (ulong)batchEnd },
            cancellationToken);

    /// <summary>Writes the rows folded from log batch [<paramref name="batchStart"/>, <paramref name="batchEnd"/>) of a partition.</summary>
    public Task InsertAsync(IReadOnlyList<UsageRow> rows, int partition, long batchStart, long batchEnd, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return Task.CompletedTask;
        }

        var buffer = new ArrayBufferWriter<byte>(rows.Count * 200);
        buffer.Write("INSERT INTO usage_minutes (tenant_id, meter_id, subject, group_by, window_start, value, event_count, log_partition, batch_start, batch_end) FORMAT JSONEachRow\n"u8);
        // One writer, reset per row: JSONEachRow wants one object per line, which a single writer cannot emit.
        using var writer = new Utf8JsonWriter(buffer);
        foreach (var row in rows)
        {
            writer.Reset(buffer);
            writer.WriteStartObject();
            writer.WriteString("tenant_id", row.TenantId);
            writer.WriteString("meter_id", row.MeterId);
            writer.WriteString("subject", row.Subject);
            writer.WriteString("group_by", row.GroupBy);
            writer.WriteNumber("window_start", row.WindowStart.ToUnixTimeSeconds());
            writer.WriteString("value", row.Value.ToString(CultureInfo.InvariantCulture));
            writer.WriteNumber("event_count", row.EventCount);
            writer.WriteNumber("log_partition", partition);
            writer.WriteNumber("batch_start", batchStart);
            writer.WriteNumber("batch_end", batchEnd);
            writer.WriteEndObject();
            writer.Flush();
            buffer.Write("\n"u8);
        }

        return clickHouse.ExecuteAsync(Encoding.UTF8.GetString(buffer.WrittenSpan), null, cancellationToken);
    }

    /// <summary>
    /// The end of the longest batch ever started at (<paramref name="partition"/>, <paramref name="batchStart"/>),
    /// or null. A replay from that position must reach at least this end: its rows then replace the
    /// earlier attempt's rows key for key (ReplacingMergeTree keeps the highest batch_end).
    /// </summary>
    public async Task<long?> FindUncommittedBatchEndAsync(int partition, long batchStart, CancellationToken cancellationToken)
    {
        var ends = await clickHouse.QueryAsync(
            "SELECT max(batch_end), count() FROM usage_batches WHERE log_partition = {partition:UInt32} AND batch_start = {start:UInt64}",
            new Dictionary<string, object?> { ["partition"] = (uint)partition, ["start"] = (ulong)batchStart },
            record => (End: Convert.ToInt64(record.GetValue(0), CultureInfo.InvariantCulture), Rows: Convert.ToInt64(record.GetValue(1), CultureInfo.InvariantCulture)),
            cancellationToken);
        return ends.Count == 1 && ends[0].Rows > 0 ? ends[0].End : null;
    }
}
