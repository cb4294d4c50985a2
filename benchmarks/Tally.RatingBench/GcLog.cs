using System.Globalization;

namespace Tally.RatingBench;

/// <summary>
/// Each collection of a phase, as the runtime describes its last one (<see cref="GC.GetGCMemoryInfo(GCKind)"/>,
/// sampled every 10 ms; a collection that ends within 10 ms of the next is missed): generation, kind, pause,
/// promoted bytes and heap size, to tell which collections cost the phase its pauses.
/// </summary>
public sealed class GcLog : IAsyncDisposable
{
    private readonly List<string> _lines = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public GcLog() => _sampling = SampleAsync(_stop.Token);

    /// <summary>Stops sampling and returns one line per collection seen.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        return _lines;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task SampleAsync(CancellationToken stop)
    {
        var seen = GC.GetGCMemoryInfo(GCKind.Any).Index;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var info = GC.GetGCMemoryInfo(GCKind.Any);
                if (info.Index > seen)
                {
                    seen = info.Index;
                    var kind = info.Concurrent ? "background" : info.Compacted ? "compacting" : "sweeping";
                    var pause = info.PauseDurations.ToArray().Sum(p => p.TotalMilliseconds);
                    _lines.Add(string.Create(CultureInfo.InvariantCulture,
                        $"#{info.Index} gen{info.Generation} {kind}: paused {pause:F0} ms, promoted {info.PromotedBytes / 1048576.0:F0} MiB, heap {info.HeapSizeBytes / 1048576.0:F0} MiB"));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
