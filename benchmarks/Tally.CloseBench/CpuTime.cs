using System.Globalization;

namespace Tally.CloseBench;

/// <summary>
/// CPU seconds (user + system) this process and its children (the embedded ClickHouse) have used, from
/// <c>/proc/[pid]/stat</c>, and this process's read and write system calls (<c>/proc/self/io</c>): on a shared,
/// noisy machine what a close costs is better told by the CPU it took than by its wall time. Zero where
/// <c>/proc</c> does not exist.
/// </summary>
internal readonly record struct CpuTime(double Self, double Children, long ReadCalls = 0, long WriteCalls = 0, double Jit = 0, double Gc = 0)
{
    // USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
    private const double TicksPerSecond = 100;

    public static CpuTime Now()
    {
        if (!File.Exists("/proc/self/stat"))
        {
            return default;
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

        // The runtime's own threads, by name: the tiered JIT's background compiler and the garbage collector's.
        var (jit, gc) = (0.0, 0.0);
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

            var seconds = Seconds(stat);
            jit += name.StartsWith(".NET Tiered", StringComparison.Ordinal) ? seconds : 0;
            gc += name.Contains("GC", StringComparison.Ordinal) ? seconds : 0;
        }

        var io = File.ReadAllLines("/proc/self/io").Select(line => line.Split(':', 2)).ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return new CpuTime(Read(self)?.Seconds ?? 0, children, io.GetValueOrDefault("syscr"), io.GetValueOrDefault("syscw"), jit, gc);
    }

    public static CpuTime operator -(CpuTime after, CpuTime before) =>
        new(after.Self - before.Self, after.Children - before.Children, after.ReadCalls - before.ReadCalls, after.WriteCalls - before.WriteCalls, after.Jit - before.Jit, after.Gc - before.Gc);

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
