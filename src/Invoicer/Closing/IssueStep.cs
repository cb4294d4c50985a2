using Tally.Billing.Closing;

namespace Tally.Invoicer.Closing;

/// <summary>Issues a draft a person approved: its number, its event, then on to the push.</summary>
internal sealed class IssueStep(bool pushes)
{
    public IReadOnlyList<CloseOutcome> Run(RunBatch batch, Transitions transitions) =>
        [.. batch.Tasks.Select(task => transitions.Move(task, pushes ? CloseStep.Push : CloseStep.Done, transitions.Entry(task, CloseStep.Issue, "issued")) with { Issue = true })];
}
