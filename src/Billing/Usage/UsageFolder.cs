using System.Text.Json;
using Tally.Billing.EventLog;
using Tally.Billing.Meters;

namespace Tally.Billing.Usage;

/// <summary>
/// Folds records of the event log into per-minute usage rows, per tenant, meter, subject and group.
/// Pure: the same records and meters always give the same rows, which is what makes replaying an
/// unacknowledged batch after a crash safe.
/// </summary>
public static class UsageFolder
{
    public static FoldResult Fold(IEnumerable<StoredRecord> records, MeterCatalog catalog)
    {
        var sums = new Dictionary<(string, string, string, string, DateTimeOffset), (decimal Value, long Count)>();
        var rejected = 0;
        var unreadable = 0;
        foreach (var record in records)
        {
            var tenantId = EventKey.TenantOf(record.Key);
            if (tenantId is null || !LoggedEvent.TryParse(record.Value, out var loggedEvent))
            {
                unreadable++;
                continue;
            }

            using (loggedEvent)
            {
                var window = Minute(loggedEvent.Time);
                foreach (var meter in catalog.For(tenantId, loggedEvent.Type))
                {
                    if (!meter.TryMeasure(loggedEvent.Data, out var quantity, out var groupBy, out _))
                    {
                        rejected++;
                        continue;
                    }

                    var key = (tenantId, meter.Definition.Id, loggedEvent.Subject, groupBy, window);
                    sums.TryGetValue(key, out var sum);
                    sums[key] = (sum.Value + quantity, sum.Count + 1);
                }
            }
        }

        var rows = sums
            .Select(pair => new UsageRow(pair.Key.Item1, pair.Key.Item2, pair.Key.Item3, pair.Key.Item4, pair.Key.Item5, pair.Value.Value, pair.Value.Count))
            .ToList();
        return new FoldResult(rows, rejected, unreadable);
    }

    private static DateTimeOffset Minute(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
    }
}

/// <summary>Rows folded from a batch, and how many events could not be measured or read.</summary>
public sealed record FoldResult(IReadOnlyList<UsageRow> Rows, int RejectedMeasurements, int UnreadableRecords);

/// <summary>A normalized CloudEvent read back from the log (see Ingest's parser for the shape).</summary>
internal sealed class LoggedEvent : IDisposable
{
    private readonly JsonDocument _document;

    private LoggedEvent(JsonDocument document, string type, string subject, DateTimeOffset time, JsonElement data)
    {
        _document = document;
        Type = type;
        Subject = subject;
        Time = time;
        Data = data;
    }

    public string Type { get; }

    public string Subject { get; }

    public DateTimeOffset Time { get; }

    public JsonElement Data { get; }

    public static bool TryParse(ReadOnlyMemory<byte> json, out LoggedEvent loggedEvent)
    {
        loggedEvent = null!;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return false;
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("subject", out var subject) || subject.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("time", out var time) || !time.TryGetDateTimeOffset(out var instant))
        {
            document.Dispose();
            return false;
        }

        var data = root.TryGetProperty("data", out var payload) ? payload : default;
        loggedEvent = new LoggedEvent(document, type.GetString()!, subject.GetString()!, instant, data);
        return true;
    }

    public void Dispose() => _document.Dispose();
}
