using System.Text;
using Tally.Billing.EventLog;
using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.Tests.Aggregator;

public sealed class UsageFolderTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly MeterDefinition Tokens = new(
        "tnt_a", "mtr_tokens", "tokens", null, "prompt", MeterAggregation.Sum, "$.tokens",
        new Dictionary<string, string> { ["model"] = "$.model" }, Created);

    private static readonly MeterDefinition Prompts = new(
        "tnt_a", "mtr_prompts", "prompts", null, "prompt", MeterAggregation.Count, null, new Dictionary<string, string>(), Created);

    private static StoredRecord Record(long position, string tenant, string subject, string time, string data, string type = "prompt") =>
        new(0, position, EventKey.For(tenant, subject), Encoding.UTF8.GetBytes(
            $$"""{"specversion":"1.0","id":"e{{position}}","source":"s","type":"{{type}}","subject":"{{subject}}","time":"{{time}}","data":{{data}}}"""));

    [Fact]
    public void Fold_EventsInSameMinute_SumsPerSubjectGroupAndMeter()
    {
        var catalog = new MeterCatalog([Tokens, Prompts]);
        var result = UsageFolder.Fold(
            [
                Record(0, "tnt_a", "c1", "2026-11-25T10:00:05Z", """{"tokens":10,"model":"small"}"""),
                Record(1, "tnt_a", "c1", "2026-11-25T10:00:59.999Z", """{"tokens":"2.5","model":"small"}"""),
                Record(2, "tnt_a", "c1", "2026-11-25T10:01:00Z", """{"tokens":1,"model":"small"}"""),
                Record(3, "tnt_a", "c2", "2026-11-25T10:00:10Z", """{"tokens":7,"model":"large"}"""),
            ],
            catalog);

        var minute = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        var rows = result.Rows.OrderBy(r => r.MeterId).ThenBy(r => r.Subject).ThenBy(r => r.WindowStart).ToList();
        Assert.Equal(
            [
                new UsageRow("tnt_a", "mtr_prompts", "c1", "{}", minute, 2m, 2),
                new UsageRow("tnt_a", "mtr_prompts", "c1", "{}", minute.AddMinutes(1), 1m, 1),
                new UsageRow("tnt_a", "mtr_prompts", "c2", "{}", minute, 1m, 1),
                new UsageRow("tnt_a", "mtr_tokens", "c1", """{"model":"small"}""", minute, 12.5m, 2),
                new UsageRow("tnt_a", "mtr_tokens", "c1", """{"model":"small"}""", minute.AddMinutes(1), 1m, 1),
                new UsageRow("tnt_a", "mtr_tokens", "c2", """{"model":"large"}""", minute, 7m, 1),
            ],
            rows);
        Assert.Equal(0, result.RejectedMeasurements);
    }

    [Fact]
    public void Fold_OtherTenantsEventType_IsNotMeasuredByThisTenantsMeter()
    {
        var result = UsageFolder.Fold([Record(0, "tnt_b", "c1", "2026-11-25T10:00:00Z", """{"tokens":10}""")], new MeterCatalog([Tokens]));

        Assert.Empty(result.Rows);
    }

    [Fact]
    public void Fold_NonNumericValue_IsRejectedNotCounted()
    {
        var result = UsageFolder.Fold(
            [Record(0, "tnt_a", "c1", "2026-11-25T10:00:00Z", """{"tokens":"many","model":"x"}""")],
            new MeterCatalog([Tokens]));

        Assert.Empty(result.Rows);
        Assert.Equal(1, result.RejectedMeasurements);
    }

    [Fact]
    public void Fold_MissingGroupValue_GroupsUnderNull()
    {
        var result = UsageFolder.Fold([Record(0, "tnt_a", "c1", "2026-11-25T10:00:00Z", """{"tokens":3}""")], new MeterCatalog([Tokens]));

        Assert.Equal("""{"model":null}""", Assert.Single(result.Rows).GroupBy);
    }

    [Fact]
    public void Fold_UnreadableRecord_IsCountedAndSkipped()
    {
        var garbage = new StoredRecord(0, 0, "tnt_a:c1", Encoding.UTF8.GetBytes("not json"));

        var result = UsageFolder.Fold([garbage], new MeterCatalog([Tokens]));

        Assert.Empty(result.Rows);
        Assert.Equal(1, result.UnreadableRecords);
    }
}
