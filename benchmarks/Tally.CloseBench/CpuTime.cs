using System.Globalization;

namespace Tally.CloseBench;

/// <summary>
/// CPU seconds (user + system) this process and its children (the embedded ClickHouse) have used, from
/// <c>/proc/[pid]/stat</c>, and this process's read and write system calls (<c>/proc/self/io</c>): on a shared,
/// noisy machine what a close costs is better told by the CPU it took than by its wall time. Zero where
/// <c>/proc</c> does not exist.
/// </summary>
internal sealed record CpuTime(double Self, double Children, long ReadCalls, long WriteCalls, IReadOnlyDictionary<int, (string Kind, double Seconds)> RuntimeThreads)
{
    // USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
    private const double TicksPerSecond = 100;

    public static CpuTime Now()
    {
        if (!File.Exists("/proc/self/stat"))
        {
            return new CpuTime(0, 0, 0, 0, new Dictionary<int, (string, double)>());
        }

        var self = Environment.ProcessId;
        var children = 0.0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != self
                && Read(pid) is { } stat && stat.ParentId == self)
            {
                children += stat.Seconds;
            }
        }

        // The garbage collector's threads, by name. (The tiered JIT's background compiler is left out: its thread leaves
        // when idle and another takes over, so what it used cannot be told from the threads alive at two instants.)
        var threads = new Dictionary<int, (string, double)>();
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string name, stat;
            try
            {
                (name, stat) = (File.ReadAllText(Path.Combine(task, "comm")).Trim(), File.ReadAllText(Path.Combine(task, "stat")));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }

            var kind = name.Contains("GC", StringComparison.Ordinal) ? "gc" : null;
            if (kind is not null)
            {
                threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = (kind, Seconds(stat));
            }
        }

        var io = File.ReadAllLines("/proc/self/io").Select(line => line.Split(':', 2)).ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return new CpuTime(Read(self)?.Seconds ?? 0, children, io.GetValueOrDefault("syscr"), io.GetValueOrDefault("syscw"), threads);
    }

    /// <summary>CPU seconds of the runtime's threads of <paramref name="kind"/> (<c>gc</c>), in a difference of two readings.</summary>
    public double RuntimeSeconds(string kind) => RuntimeThreads.Values.Where(t => t.Kind == kind).Sum(t => t.Seconds);

    public static CpuTime operator -(CpuTime after, CpuTime before) =>
        new(
            after.Self - before.Self,
            after.Children - before.Children,
            after.ReadCalls - before.ReadCalls,
            after.WriteCalls - before.WriteCalls,
            after.RuntimeThreads.ToDictionary(t => t.Key, t => (t.Value.Kind, t.Value.Seconds - (before.RuntimeThreads.TryGetValue(t.Key, out var was) ? was.Seconds : 0))));

    private static (int ParentId, double Seconds)? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        return (int.Parse(Fields(text)[1], CultureInfo.InvariantCulture), Seconds(text));
    }

    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    private static string[] Fields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

    // utime and stime, fields 14 and 15.
    private static double Seconds(string stat)
    {
        var fields = Fields(stat);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
