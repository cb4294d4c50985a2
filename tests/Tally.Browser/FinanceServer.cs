namespace Tally.Browser;

/// <summary>
/// The dashboard server set for period closes a test can watch: no grace after a period ends, invoices
/// above 1,000 held for approval, workers polling every 50 ms, and no scheduler starting closes by itself.
/// </summary>
public sealed class FinanceServer : DashboardServer
{
    protected override IReadOnlyDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>
    {
        ["Close:GraceMinutes"] = "0",
        ["Close:ApprovalAbove"] = "1000",
        ["Close:PollMilliseconds"] = "50",
        ["Close:ScheduleEnabled"] = "false",
        // Roll-ups happen when asked, not on a timer racing the close's reconciliation check.
        ["Aggregator:RollupIntervalSeconds"] = "3600",
    };
}
