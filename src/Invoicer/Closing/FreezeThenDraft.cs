using Microsoft.Extensions.Logging;
using Tally.Billing.Closing;

namespace Tally.Invoicer.Closing;

/// <summary>
/// The freeze of a batch, and the draft of every customer it froze, in the same batch and so in the same commit:
/// the usage frozen, the draft, its checks and (approved automatically) its issue land together, each step still
/// in the history on its own. Leasing the same tasks again only to draft them would read them, their customers,
/// their catalogs and their frozen usage a second time and write their rows a second time. Nothing is drafted
/// before its usage is stored: a crash before the commit loses both, and the task freezes again; a customer whose
/// draft fails is frozen all the same and retried at the draft step, as if it had been leased there.
/// </summary>
internal sealed class FreezeThenDraft(IPeriodRating rating, FreezeStep freeze, DraftStep draft, ILogger logger)
{
    public async Task<IReadOnlyList<CloseOutcome>> RunAsync(RunBatch batch, Transitions transitions, CancellationToken cancellationToken)
    {
        var run = batch.Run;
        var demands = (await rating.DemandsAsync(run.TenantId, batch.CustomerList, run.Period, cancellationToken)).ToDictionary(d => d.Customer.Id, StringComparer.Ordinal);
        var frozen = await freeze.RunAsync(batch, transitions, demands, cancellationToken);
        var ready = frozen.Where(o => o.Step == CloseStep.Draft && o.State == CloseTaskState.Ready).ToDictionary(o => o.Task.CustomerId, StringComparer.Ordinal);
        if (ready.Count == 0)
        {
            return frozen;
        }

        // Each frozen task as the draft step would lease it: at Draft, no attempt yet.
        var drafting = batch with { Tasks = [.. batch.Tasks.Where(t => ready.ContainsKey(t.CustomerId)).Select(t => t with { Step = CloseStep.Draft, State = CloseTaskState.Ready, Attempts = 0, NextAttemptAt = transitions.Now, Error = null })] };
        IReadOnlyList<CloseOutcome> drafted;
        try
        {
            drafted = await draft.DraftAsync(drafting, transitions, ready.Values.SelectMany(o => o.Frozen).ToLookup(f => f.CustomerId), demands, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Drafting could not even start (e.g. the ledger did not answer): the freeze stands, the draft step retries.
            InvoicerLog.StepFailed(logger, error, nameof(CloseStep.Draft), run.TenantId, run.Id, drafting.Tasks.Count);
            return frozen;
        }

        var byCustomer = drafted.ToDictionary(o => o.Task.CustomerId, StringComparer.Ordinal);
        return [.. frozen.Select(o => byCustomer.TryGetValue(o.Task.CustomerId, out var then)
            ? then with { Task = o.Task, Frozen = o.Frozen, History = [.. o.History, .. then.History] }
            : o)];
    }
}
