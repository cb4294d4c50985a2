using System.Diagnostics;
using Tally.Billing.Rating;
using Tally.Rating;
using Tally.Rating.Live;

namespace Tally.RatingBench;

/// <summary>What activating the customers' rating grains cost: managed heap per grain, activation rate, and the grains' own estimate.</summary>
public sealed record GrainMemoryResult(int Grains, long HeapBefore, long HeapAfter, double ActivationSeconds, long EstimatedBytesPerGrain, int ActivationsLeftBefore)
{
    public double BytesPerGrain => (HeapAfter - HeapBefore) / (double)Grains;
}

/// <summary>
/// Deactivates every grain (Orleans' forced activation collection), collects the heap, activates each
/// customer's rating grain by asking for its live bill, collects again: (after − before) / N is what one
/// live customer keeps on the managed heap — its catalog, usage book, cached bill, watermarks, and Orleans'
/// own bookkeeping of the activation. Everything else the process holds is the same before and after.
/// </summary>
public static class GrainMemory
{
    public static async Task<GrainMemoryResult> MeasureAsync(IGrainFactory grains, ILiveBills bills, string tenantId, IReadOnlyList<BenchCustomer> customers, int concurrency, CancellationToken cancellationToken)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var left = await DeactivateAllAsync(management, customers.Count, cancellationToken);
        var before = CollectedHeap();
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(customers, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (customer, ct) =>
        {
            _ = await bills.CurrentAsync(tenantId, customer.Id, ct);
        });
        var activation = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var after = CollectedHeap();
        var estimate = 0L;
        var sample = customers.Take(200).ToList();
        foreach (var customer in sample)
        {
            estimate += await grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenantId, customer.Id)).ApproximateBytesAsync();
        }

        return new GrainMemoryResult(customers.Count, before, after, activation, estimate / Math.Max(1, sample.Count), left);
    }

    /// <summary>Collects every idle activation until fewer than 1% of <paramref name="expected"/> remain (or 2 minutes pass); returns how many are left.</summary>
    private static async Task<int> DeactivateAllAsync(IManagementGrain management, int expected, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 120);
        int count;
        do
        {
            await management.ForceActivationCollection(TimeSpan.Zero, cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            count = await management.GetTotalActivationCount(cancellationToken);
        }
        while (count > expected / 100 && Stopwatch.GetTimestamp() < deadline);
        return count;
    }

    private static long CollectedHeap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
