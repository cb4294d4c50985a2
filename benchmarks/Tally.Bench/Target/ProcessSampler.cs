using System.Diagnostics;

namespace Tally.Bench.Target;

/// <summary>CPU time and memory of the watched processes, read from the OS (/proc on Linux) when asked.</summary>
public sealed class ProcessSampler(IReadOnlyList<WatchedProcess> watched) : IDisposable
{
    private readonly Dictionary<string, Process?> _processes = watched.ToDictionary(w => w.Stage, w => Open(w.ProcessId));
    private readonly Dictionary<string, long> _peakRss = [];

    /// <summary>Each stage's CPU time so far (seconds) and resident memory now (bytes); a process gone reads as absent.</summary>
    public IReadOnlyDictionary<string, (double CpuSeconds, long RssBytes)> Sample()
    {
        var sample = new Dictionary<string, (double, long)>();
        foreach (var (stage, process) in _processes)
        {
            try
            {
                if (process is null || process.HasExited)
                {
                    continue;
                }

                process.Refresh();
                sample[stage] = (process.TotalProcessorTime.TotalSeconds, process.WorkingSet64);
                _peakRss[stage] = Math.Max(_peakRss.GetValueOrDefault(stage), process.PeakWorkingSet64);
            }
            catch (InvalidOperationException)
            {
            }
        }

        return sample;
    }

    /// <summary>The highest resident set (VmHWM) seen of each stage's process.</summary>
    public IReadOnlyDictionary<string, long> PeakRss => _peakRss;

    public void Dispose()
    {
        foreach (var process in _processes.Values)
        {
            process?.Dispose();
        }
    }

    private static Process? Open(int id)
    {
        try
        {
            return id > 0 ? Process.GetProcessById(id) : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
