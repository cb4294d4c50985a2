using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tally.Billing.Events;

namespace Tally.ClickHouse.Events;

/// <summary>
/// The stored usage events in ClickHouse (tables in <see cref="Usage.UsageSchema"/>). Events and touched
/// hours are inserted as RowBinary: the binary rows cost ClickHouse less to parse than JSONEachRow text
/// (measured in docs/benchmarks.md); JSONEachRow stays for the rejected records and as the measured alternative.
/// </summary>
public sealed class EventStore : IEventStore
{
    private const string InstantFormat = "yyyy-MM-dd HH:mm:ss.fff";

    private readonly IClickHouse clickHouse;
    private readonly EventInsertFormat format;

    public EventStore(IClickHouse clickHouse)
        : this(clickHouse, EventInsertFormat.RowBinary)
    {
    }

    internal EventStore(IClickHouse clickHouse, EventInsertFormat format)
    {
        this.clickHouse = clickHouse;
        this.format = format;
    }

    public async Task InsertAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        await InsertEventsAsync(events, cancellationToken);
        // After the events, never before: a touch promises its hour's events are readable.
        await TouchHoursAsync(events, cancellationToken);
    }

    public Task InsertEventsAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        if (format == EventInsertFormat.JsonEachRow)
        {
            return clickHouse.ExecuteAsync(Encoding.UTF8.GetString(JsonEachRow(events).WrittenSpan), null, cancellationToken);
        }

        var rows = new ArrayBufferWriter<byte>(events.Count * 256);
        EventRowBinary.WriteEvents(rows, events);
        return clickHouse.InsertAsync(EventRowBinary.InsertEventsSql, rows.WrittenMemory, cancellationToken);
    }

    public Task TouchHoursAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        var hours = events.Select(e => (e.Identity.TenantId, Hour: e.Time.UtcTicks - (e.Time.UtcTicks % TimeSpan.TicksPerHour))).Distinct().ToList();
        if (format == EventInsertFormat.RowBinary)
        {
            var rows = new ArrayBufferWriter<byte>(hours.Count * 32);
            foreach (var (tenantId, hour) in hours)
            {
                EventRowBinary.WriteTouch(rows, tenantId, hour);
            }

            return clickHouse.InsertAsync(EventRowBinary.InsertTouchesSql, rows.WrittenMemory, cancellationToken);
        }

        return clickHouse.ExecuteAsync(
            "INSERT INTO usage_touches (tenant_id, hour) SELECT tenant, toDateTime(hour, 'UTC') FROM (SELECT arrayJoin(arrayZip({tenants:Array(String)}, {hours:Array(UInt32)})) AS pair, pair.1 AS tenant, pair.2 AS hour)",
            new Dictionary<string, object?>
            {
                ["tenants"] = hours.Select(h => h.TenantId).ToArray(),
                ["hours"] = hours.Select(h => (uint)(new DateTimeOffset(h.Hour, TimeSpan.Zero).ToUnixTimeSeconds())).ToArray(),
            },
            cancellationToken);
    }

    private static ArrayBufferWriter<byte> JsonEachRow(IReadOnlyList<StoredEvent> events)
    {
        var buffer = new ArrayBufferWriter<byte>(events.Count * 320);
        buffer.Write("INSERT INTO events (tenant_id, type, subject, time, source, id, data, ingested_at, identity, payload, log_partition, log_position) FORMAT JSONEachRow\n"u8);
        using var writer = new Utf8JsonWriter(buffer);
        foreach (var stored in events)
        {
            // JSONEachRow wants one object per line, which a single writer cannot emit: reset it per row.
            writer.Reset(buffer);
            writer.WriteStartObject();
            WriteEvent(writer, stored);
            writer.WriteEndObject();
            writer.Flush();
            buffer.Write("\n"u8);
        }

        return buffer;
    }

    public Task InsertRejectedAsync(IReadOnlyList<RejectedEvent> rejected, DateTimeOffset rejectedAt, CancellationToken cancellationToken)
    {
        if (rejected.Count == 0)
        {
            return Task.CompletedTask;
        }

        var buffer = new ArrayBufferWriter<byte>(rejected.Count * 400);
        buffer.Write("INSERT INTO rejected_events (tenant_id, rejected_at, reason, raw, type, subject, time, source, id, data, ingested_at, identity, log_partition, log_position) FORMAT JSONEachRow\n"u8);
        using var writer = new Utf8JsonWriter(buffer);
        foreach (var record in rejected)
        {
            writer.Reset(buffer);
            writer.WriteStartObject();
            writer.WriteString("rejected_at", Instant(rejectedAt));
            writer.WriteString("reason", record.Reason);
            writer.WriteString("raw", record.Raw);
            if (record.Event is { } stored)
            {
                WriteEvent(writer, stored);
            }
            else
            {
                writer.WriteString("tenant_id", record.TenantId);
                writer.WriteString("time", Instant(rejectedAt));
                writer.WriteString("ingested_at", Instant(rejectedAt));
                writer.WriteNumber("log_partition", record.Partition);
                writer.WriteNumber("log_position", record.Position);
            }

            writer.WriteEndObject();
            writer.Flush();
            buffer.Write("\n"u8);
        }

        return clickHouse.ExecuteAsync(Encoding.UTF8.GetString(buffer.WrittenSpan), null, cancellationToken);
    }

    public IAsyncEnumerable<KeyValuePair<UInt128, ulong>> IdentitiesAsync(int partition, long fromPosition, long toPosition, CancellationToken cancellationToken) =>
        clickHouse.StreamAsync(
            "SELECT toString(identity), toString(payload) FROM events WHERE log_partition = {p:UInt16} AND log_position >= {from:UInt64} AND log_position < {to:UInt64}",
            new Dictionary<string, object?> { ["p"] = (ushort)partition, ["from"] = (ulong)fromPosition, ["to"] = (ulong)Math.Max(toPosition, 0) },
            record => KeyValuePair.Create(
                UInt128.Parse(record.GetString(0), CultureInfo.InvariantCulture),
                ulong.Parse(record.GetString(1), CultureInfo.InvariantCulture)),
            cancellationToken);

    public async Task DeleteBeforeAsync(string tenantId, DateTimeOffset before, CancellationToken cancellationToken)
    {
        // Lightweight deletes: rows vanish from reads at once and from disk at the next merge. The
        // identity index keeps their identities, so an old event sent again is still not counted.
        var parameters = new Dictionary<string, object?> { ["tenant"] = tenantId, ["before"] = before.UtcDateTime };
        await clickHouse.ExecuteAsync("DELETE FROM events WHERE tenant_id = {tenant:String} AND time < {before:DateTime64(3, 'UTC')}", parameters, cancellationToken);
        await clickHouse.ExecuteAsync("DELETE FROM rejected_events WHERE tenant_id = {tenant:String} AND time < {before:DateTime64(3, 'UTC')}", parameters, cancellationToken);
        await clickHouse.ExecuteAsync("DELETE FROM usage_hourly WHERE tenant_id = {tenant:String} AND hour < toStartOfHour({before:DateTime64(3, 'UTC')})", parameters, cancellationToken);
        // The hour the cut falls in lost some events: mark it changed so it is rolled up again.
        await clickHouse.ExecuteAsync("INSERT INTO usage_touches (tenant_id, hour) VALUES ({tenant:String}, toStartOfHour({before:DateTime64(3, 'UTC')}))", parameters, cancellationToken);
    }

    public Task<IReadOnlyList<ListedEvent>> ListAsync(EventListQuery query, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?> { ["tenant"] = query.TenantId, ["limit"] = (ulong)query.Limit };
        var filter = new StringBuilder(" WHERE tenant_id = {tenant:String}");
        void Range(string column, string name, DateTimeOffset? value, string comparison)
        {
            if (value is { } instant)
            {
                parameters[name] = instant.UtcDateTime;
                filter.Append($" AND {column} {comparison} {{{name}:DateTime64(3, 'UTC')}}");
            }
        }

        Range("time", "from", query.From, ">=");
        Range("time", "to", query.To, "<");
        Range("ingested_at", "ifrom", query.IngestedAtFrom, ">=");
        Range("ingested_at", "ito", query.IngestedAtTo, "<");
        if (query.Id is { } id)
        {
            parameters["id"] = id;
            filter.Append(" AND position(id, {id:String}) > 0");
        }

        if (query.Subjects.Count > 0)
        {
            parameters["subjects"] = query.Subjects.ToArray();
            filter.Append(" AND subject IN {subjects:Array(String)}");
        }

        var stored = new StringBuilder(" WHERE 1");
        if (query.StoredAfter is { } after)
        {
            parameters["safter"] = after.UtcDateTime;
            stored.Append(" AND stored > {safter:DateTime64(3, 'UTC')}");
        }

        if (query.StoredUntil is { } until)
        {
            parameters["suntil"] = until.UtcDateTime;
            stored.Append(" AND stored <= {suntil:DateTime64(3, 'UTC')}");
        }

        var sql = $$"""
            SELECT type, subject, toUnixTimestamp64Milli(time), source, id, data, toUnixTimestamp64Milli(ingested_at), toUnixTimestamp64Milli(stored), rejection
            FROM (
                SELECT type, subject, time, source, id, data, ingested_at, stored_at AS stored, '' AS rejection FROM events FINAL {{filter}}
                UNION ALL
                SELECT type, subject, time, source, id, data, ingested_at, rejected_at AS stored, reason AS rejection FROM rejected_events FINAL {{filter}}
            ){{stored}}
            ORDER BY time DESC, stored DESC
            LIMIT {limit:UInt64}
            """;
        return clickHouse.QueryAsync(sql, parameters, record => new ListedEvent(
            new StoredEvent(
                new EventIdentity(query.TenantId, record.GetString(3), record.GetString(4)),
                record.GetString(0),
                record.GetString(1),
                Milliseconds(record.GetValue(2)),
                record.GetString(5),
                Milliseconds(record.GetValue(6))),
            Milliseconds(record.GetValue(7)),
            record.GetString(8) is { Length: > 0 } reason ? reason : null), cancellationToken);
    }

    private static void WriteEvent(Utf8JsonWriter writer, StoredEvent stored)
    {
        writer.WriteString("tenant_id", stored.Identity.TenantId);
        writer.WriteString("type", stored.Type);
        writer.WriteString("subject", stored.Subject);
        writer.WriteString("time", Instant(stored.Time));
        writer.WriteString("source", stored.Identity.Source);
        writer.WriteString("id", stored.Identity.Id);
        writer.WriteString("data", stored.Data);
        writer.WriteString("ingested_at", Instant(stored.IngestedAt));
        // UInt128 as a bare JSON number: ClickHouse reads it exactly, a double would not.
        writer.WritePropertyName("identity");
        writer.WriteRawValue(stored.IdentityDigest.ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
        writer.WriteNumber("payload", stored.PayloadDigest);
        writer.WriteNumber("log_partition", stored.Partition);
        writer.WriteNumber("log_position", stored.Position);
    }

    private static string Instant(DateTimeOffset instant) => instant.UtcDateTime.ToString(InstantFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset Milliseconds(object value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, CultureInfo.InvariantCulture));
}
