using Tally.Billing.Closing;

namespace Tally.Invoicer.Closing;

/// <summary>Issues a draft a person approved: its number, its event, then on to the push.</summary>
internal sealed class IssueStep
{
    public IReadOnlyList<CloseOutcome> Run(RunBatch batch, Transitions transitions) =>
        [.. batch.Tasks.Select(task => transitions.Move(task, batch.Pushes ? CloseStep.Push : CloseStep.Done, transitions.Entry(task, CloseStep.Issue, "issued")) with { Issue = true })];
}
