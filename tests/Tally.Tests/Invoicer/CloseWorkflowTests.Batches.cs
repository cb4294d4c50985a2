using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.Closing;
using Tally.Billing.Invoices;

namespace Tally.Tests.Invoicer;

/// <summary>How the worker batches the steps: a customer frozen is drafted (and issued) in the same batch and commit.</summary>
public sealed partial class CloseWorkflowTests
{
    [Fact]
    public async Task Close_CustomersFrozen_DraftedAndIssuedInTheFreezeBatchWithNoBatchAtTheDraftStep()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var batches = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "tally.close.batch.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "step")
                {
                    batches.Add((string)tag.Value!);
                }
            }
        });
        listener.Start();
        var run = await StartAsync(October);

        var worked = await Worker(meters: meters).RunOnceAsync(Ct);

        Assert.True(worked);
        Assert.Equal([nameof(CloseStep.Freeze)], batches);
        Assert.Equal(3, (await InvoicesAsync()).Count(i => i.Status == InvoiceStatus.Issued));
        var history = (await ledger.CloseRuns.HistoryAsync(tenantId, run.Id, alice.Id, Ct)).Where(h => h.CustomerId is not null).ToList();
        Assert.Equal(
            [("Freeze", "usage frozen", 1), ("Draft", "rated", 1), ("Draft", "checks passed", 1), ("Approval", "approved automatically", 1), ("Issue", "issued", 1)],
            history.Select(h => (h.Step, h.Outcome, h.Attempt)));
        Assert.Single(history.Select(h => h.At).Distinct());
        Assert.All(await ledger.CloseRuns.TasksAsync(tenantId, run.Id, Ct), t => Assert.Equal((CloseStep.Done, CloseTaskState.Done), (t.Step, t.State)));
    }
}
