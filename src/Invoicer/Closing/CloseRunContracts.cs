using Tally.Billing.Closing;

namespace Tally.Invoicer.Closing;

/// <summary>Starts a close run: <c>{"period": "2026-11", "customerId"?, "dryRun"?, "kind"?: "close"|"rerun"}</c>; the admin route may name a tenant.</summary>
public sealed class StartCloseRunRequest
{
    public string? Period { get; set; }

    public string? CustomerId { get; set; }

    public bool DryRun { get; set; }

    public string? Kind { get; set; }

    public string? TenantId { get; set; }
}

/// <summary>A close run with its progress (customers per stage).</summary>
public sealed record CloseRunResponse(
    string Id,
    string TenantId,
    string Period,
    string Kind,
    bool DryRun,
    string? CustomerId,
    string Status,
    string RequestedBy,
    string CodeVersion,
    DateTime CreatedAt,
    CloseRunProgressResponse Progress)
{
    public static CloseRunResponse From(CloseRun run) => new(
        run.Id,
        run.TenantId,
        run.Period.ToString(),
        run.Kind.ToString().ToLowerInvariant(),
        run.DryRun,
        run.CustomerId,
        run.Status switch
        {
            CloseRunStatus.Completed => "completed",
            CloseRunStatus.NeedsAttention => "needs_attention",
            _ => "running",
        },
        run.RequestedBy,
        run.CodeVersion,
        run.CreatedAt.UtcDateTime,
        new CloseRunProgressResponse(run.Progress.Total, run.Progress.Waiting, run.Progress.InProgress, run.Progress.AwaitingApproval, run.Progress.Parked, run.Progress.Done));
}

public sealed record CloseRunProgressResponse(int Total, int WaitingForData, int InProgress, int AwaitingApproval, int Parked, int Done);

/// <summary>One customer's task in a run.</summary>
public sealed record CloseTaskResponse(string CustomerId, string Step, string State, int Attempts, DateTime NextAttemptAt, string? InvoiceId, string? Error)
{
    public static CloseTaskResponse From(CloseTask task) =>
        new(task.CustomerId, task.Step.ToString().ToLowerInvariant(), task.State.ToString().ToLowerInvariant(), task.Attempts, task.NextAttemptAt.UtcDateTime, task.InvoiceId, task.Error);
}

/// <summary>One history entry; <c>detail</c> is the step's own JSON.</summary>
public sealed record CloseHistoryResponse(string? CustomerId, DateTime At, string Step, string Outcome, int Attempt, System.Text.Json.JsonElement? Detail, string Worker)
{
    public static CloseHistoryResponse From(CloseHistoryEntry entry) => new(
        entry.CustomerId,
        entry.At.UtcDateTime,
        entry.Step.ToLowerInvariant(),
        entry.Outcome,
        entry.Attempt,
        entry.Detail is null ? null : Parse(entry.Detail),
        entry.Worker);

    private static System.Text.Json.JsonElement Parse(string detail)
    {
        try
        {
            return System.Text.Json.JsonDocument.Parse(detail).RootElement.Clone();
        }
        catch (System.Text.Json.JsonException)
        {
            return System.Text.Json.JsonSerializer.SerializeToElement(detail);
        }
    }
}
