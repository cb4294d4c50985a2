using System.Diagnostics;
using System.Globalization;

namespace Tally.RatingBench;

/// <summary>The machine's load average (other engineers build on the same 2 cores), read and waited on before measuring.</summary>
public static class MachineLoad
{
    /// <summary>The 1, 5 and 15 minute load averages as <c>/proc/loadavg</c> has them.</summary>
    public static string Now()
    {
        var fields = File.ReadAllText("/proc/loadavg").Split(' ');
        return $"{fields[0]}, {fields[1]}, {fields[2]}";
    }

    public static double OneMinute() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>Waits until the 1-minute load average is below <paramref name="threshold"/>, at most <paramref name="maxWait"/>; says what it found.</summary>
    public static async Task<string> WaitQuietAsync(double threshold, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (OneMinute() >= threshold && Stopwatch.GetElapsedTime(started) < maxWait)
        {
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
        }

        var waited = Stopwatch.GetElapsedTime(started);
        return OneMinute() < threshold
            ? $"load average {Now()} (below {threshold.ToString(CultureInfo.InvariantCulture)} after waiting {waited.TotalSeconds:F0} s)"
            : $"load average {Now()} (NOT below {threshold.ToString(CultureInfo.InvariantCulture)} after waiting {waited.TotalMinutes:F0} min: figures are noisy)";
    }
}
