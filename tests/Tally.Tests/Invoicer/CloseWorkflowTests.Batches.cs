using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.Closing;
using Tally.Billing.Invoices;

namespace Tally.Tests.Invoicer;

/// <summary>
/// How the worker batches the steps: a customer frozen is drafted (and issued) in the same batch and commit, and
/// several batches are worked at once, each leased on its own.
/// </summary>
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

    [Fact]
    public async Task Worker_TwoBatchesAtOnceOfOneCustomerEach_IssuesEveryCustomerOnceNumberedWithoutGaps()
    {
        options.BatchSize = 1;
        options.ConcurrentBatches = 2;
        var run = await StartAsync(October);
        var worker = Worker();

        await worker.StartAsync(Ct);
        var waited = Stopwatch.StartNew();
        while ((await ledger.CloseRuns.GetAsync(tenantId, run.Id, Ct))!.Status != CloseRunStatus.Completed && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, Ct);
        }

        await worker.StopAsync(Ct);

        var invoices = await InvoicesAsync();
        Assert.Equal(["INV-000001", "INV-000002", "INV-000003"], invoices.Select(i => i.Number));
        Assert.Equal(new[] { alice.Id, bob.Id, dave.Id }.Order(StringComparer.Ordinal), invoices.Select(i => i.CustomerId).Order(StringComparer.Ordinal));
        var history = await ledger.CloseRuns.HistoryAsync(tenantId, run.Id, null, Ct);
        Assert.All(new[] { alice, bob, dave }, c => Assert.Single(history, h => h.CustomerId == c.Id && h.Outcome == "issued"));
        Assert.DoesNotContain(history, h => h.Outcome is "failed" or "resumed");
        Assert.Equal(CloseRunStatus.Completed, (await ledger.CloseRuns.GetAsync(tenantId, run.Id, Ct))!.Status);
    }
}
