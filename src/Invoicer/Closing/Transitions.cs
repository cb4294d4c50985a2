using System.Text.Json;
using Tally.Billing.Closing;

namespace Tally.Invoicer.Closing;

/// <summary>The outcomes a step gives its tasks, each with the history entries that say what happened. One per batch: one worker, one instant.</summary>
internal sealed class Transitions(string worker, DateTimeOffset now, RetryPolicy retry)
{
    public DateTimeOffset Now => now;

    public CloseHistoryEntry Entry(CloseTask task, CloseStep step, string outcome, object? detail = null) =>
        new(task.RunId, task.CustomerId, now, step.ToString(), outcome, task.Attempts + 1, detail is null ? null : detail as string ?? JsonSerializer.Serialize(detail, JsonSerializerOptions.Web), worker);

    /// <summary>On to <paramref name="next"/>, due now; the attempt count starts again.</summary>
    public CloseOutcome Move(CloseTask task, CloseStep next, params CloseHistoryEntry[] history) =>
        new(task, next, next == CloseStep.Done ? CloseTaskState.Done : CloseTaskState.Ready, 0, now, null) { History = history };

    /// <summary>Not yet: the same step again at <paramref name="until"/>, without counting a failure. <paramref name="reason"/> is recorded once, when it changes.</summary>
    public CloseOutcome Wait(CloseTask task, DateTimeOffset until, string reason) =>
        new(task, task.Step, CloseTaskState.Ready, task.Attempts, until, reason)
        {
            History = task.Error == reason ? [] : [Entry(task, task.Step, "waiting", reason)],
        };

    /// <summary>Waits for a person's signal at <paramref name="step"/>.</summary>
    public CloseOutcome AwaitSignal(CloseTask task, CloseStep step, params CloseHistoryEntry[] history) =>
        new(task, step, CloseTaskState.Waiting, 0, now, null) { History = history };

    /// <summary>
    /// The step failed: tried again after the policy's backoff, or parked with its error (and an event
    /// that tells the tenant) when it is past its retries or will never succeed.
    /// </summary>
    public CloseOutcome Fail(CloseTask task, Exception error, bool permanent)
    {
        var attempt = task.Attempts + 1;
        var message = $"{error.GetType().Name}: {error.Message}";
        var next = permanent ? null : retry.NextAttempt(attempt, now);
        if (next is { } at)
        {
            return new CloseOutcome(task, task.Step, CloseTaskState.Ready, attempt, at, message)
            {
                History = [Entry(task, task.Step, "failed", new { error = message, retryAt = at })],
            };
        }

        return Park(task, attempt, message, permanent ? "failed for good" : $"failed {attempt} times");
    }

    /// <summary>Parked: kept with its error and shown until someone retries it.</summary>
    public CloseOutcome Park(CloseTask task, int attempt, string message, string why, params CloseHistoryEntry[] before) =>
        new(task, task.Step, CloseTaskState.Parked, attempt, now, message)
        {
            History = [.. before, Entry(task, task.Step, "parked", new { error = message, why })],
            Event = new BillingEvent(
                "close.customer_parked",
                task.TenantId,
                task.InvoiceId,
                JsonSerializer.Serialize(new { runId = task.RunId, customerId = task.CustomerId, step = task.Step.ToString(), error = message }, JsonSerializerOptions.Web)),
        };
}
