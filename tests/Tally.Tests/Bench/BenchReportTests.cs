using Tally.Bench;
using Tally.Bench.Generation;
using Tally.Bench.Load;
using Tally.Bench.Report;
using Tally.Bench.Target;

namespace Tally.Tests.Bench;

public sealed class BenchReportTests
{
    [Fact]
    public void Serialize_Report_WritesCamelCaseFiguresAndReadsThemBack()
    {
        var report = Report(mismatches: []);

        var json = ReportJson.Serialize(report);
        var read = ReportJson.Deserialize(json);

        Assert.Contains("\"acknowledgedPerSecond\": 250000", json, StringComparison.Ordinal);
        Assert.Contains("\"ackLatencyMs\": {\n        \"count\": 5000,\n        \"p50\": 2.5,\n        \"p99\": 18,", json.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("\"ratio\": 0.5", json, StringComparison.Ordinal);
        Assert.Contains("\"passed\": true", json, StringComparison.Ordinal);
        Assert.DoesNotContain("freshnessMs\": null", json, StringComparison.Ordinal);
        Assert.Equal(250_000, read.Phases[0].AcknowledgedPerSecond);
        Assert.Equal(0.5, read.Stages[0].Ratio);
        Assert.Equal(["tally serve"], read.Processes.Select(p => p.Stage));
        Assert.True(read.Passed);
    }

    [Fact]
    public void Passed_AMeterDiffers_IsFalse()
    {
        Assert.False(Report(mismatches: ["tenant 0 meter tokens (SUM): expected 10, got 9"]).Passed);
    }

    [Fact]
    public void Judge_Figures_SaysWhichGoalsAreMet()
    {
        var report = Report(mismatches: []);

        var goals = Goals.Judge(report.Phases, report.Stages);

        Assert.Equal(
        [
            ("≥ 1,000,000 events/s end to end", "250,000 events/s", (bool?)false),
            ("ingest ≥ 60% of bare log append", "50%", false),
            ("p99 ack < 20 ms at half the maximum rate", "18.0 ms", true),
            ("freshness p99 < 1 s (open loop)", "900.0 ms", true),
        ], goals.Select(g => (g.Goal, g.Measured, g.Met)));
    }

    [Theory]
    [InlineData(false, 2, null, true)]
    [InlineData(false, 2, 2.0, false)]
    [InlineData(true, 1.1666666666, 1.166666666, false)]
    [InlineData(true, 1.166666664, 1.166666666, true)]
    public void Differs_ComparesExactlyExceptAvgToNineDecimals(bool avg, double got, double? expected, bool differs)
    {
        var meter = BenchMeters.All.Single(m => m.Slug == (avg ? "latency-avg" : "tokens"));

        Assert.Equal(differs, TotalsCheck.Differs(meter, [(decimal)got], (decimal?)expected));
    }

    [Fact]
    public void Differs_NoRowWhenEventsWereExpected_Differs()
    {
        var meter = BenchMeters.All[0];

        Assert.True(TotalsCheck.Differs(meter, [], 1m));
        Assert.False(TotalsCheck.Differs(meter, [], null));
        Assert.True(TotalsCheck.Differs(meter, [1m, 1m], 2m));
    }

    [Fact]
    public void Sum_PrometheusText_AddsEveryLabelSetOfTheCounter()
    {
        const string Text = """
            # TYPE tally_aggregator_records_total counter
            tally_aggregator_records_total{otel_scope_name="Tally.Aggregator",partition="0"} 1200 1764200000000
            tally_aggregator_records_total{otel_scope_name="Tally.Aggregator",partition="1"} 34.5
            tally_aggregator_records_total_other 99
            tally_aggregator_batches_total{partition="0"} 7
            """;

        Assert.Equal(1234.5, PrometheusText.Sum(Text, "tally_aggregator_records_total"));
        Assert.Null(PrometheusText.Sum(Text, "tally_ingest_events_total"));
    }

    [Theory]
    [InlineData("60s", 60)]
    [InlineData("2m", 120)]
    [InlineData("1.5h", 5400)]
    [InlineData("45", 45)]
    public void ParseDuration_Text_Seconds(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), BenchOptions.ParseDuration(text));

    [Theory]
    [InlineData("")]
    [InlineData("-5s")]
    [InlineData("5d")]
    public void ParseDuration_NotADuration_NamesTheOption(string text) =>
        Assert.StartsWith("--duration:", Assert.Throws<ArgumentException>(() => BenchOptions.ParseDuration(text)).Message, StringComparison.Ordinal);

    private static BenchReport Report(IReadOnlyList<string> mismatches)
    {
        var phases = new[]
        {
            new PhaseReport("closed loop", 3.5, null, 10, 2_500_000, 250_000, 250_000, 0, new Dictionary<string, long> { ["http"] = 2_000_000, ["grpc"] = 500_000 },
                new Percentiles(25_000, 4, 30, 60, 80), new Percentiles(10, 400, 1_200, 1_200, 1_200), null),
            new PhaseReport("open loop", 20, 125_000, 10, 1_250_000, 125_000, 125_000, 0.1, new Dictionary<string, long> { ["http"] = 1_250_000 },
                new Percentiles(5_000, 2.5, 18, 19, 25), new Percentiles(20, 300, 900, 900, 950), null),
        };
        var stages = new[] { new StageReport("ingest", 250_000, "bare log append", 500_000) };
        return new BenchReport
        {
            Command = "tally bench --profile small",
            StartedAt = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero),
            Machine = "2 cores",
            LoadAverage = [0.4, 1.9],
            Target = "started here",
            Profile = "small",
            Seed = 1,
            Phases = phases,
            Stages = stages,
            Processes = [new ProcessReport("tally serve", 15, 150, 512)],
            BytesPerEvent = new BytesPerEventReport(206, 166, 312, null),
            Correctness = new CorrectnessReport(81, 10, 11, mismatches),
            Goals = Goals.Judge(phases, stages),
            Timeline = [new TimelinePoint(4, 250_000, 240_000, new Dictionary<string, double> { ["tally serve"] = 150 }, new Dictionary<string, double> { ["tally serve"] = 400 }, null)],
        };
    }
}
