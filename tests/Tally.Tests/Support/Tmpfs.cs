using System.Diagnostics;
using System.Globalization;

namespace Tally.Tests.Support;

/// <summary>
/// A small tmpfs mounted on a fresh directory: a real disk that fills up. Needs root (mount); where
/// that is not allowed, <see cref="TryMount"/> returns null with the reason, for the test to report.
/// </summary>
public sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    public static Tmpfs? TryMount(int kilobytes, out string reason)
    {
        var path = Directory.CreateTempSubdirectory("tally-tmpfs-").FullName;
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k,mode=0700", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            reason = $"cannot mount a tmpfs here (mount exited {code}: {output.Trim()}); run as root to test a real full disk";
            return null;
        }

        reason = "";
        return new Tmpfs(path);
    }

    /// <summary>Grows the file system, as an operator freeing space would.</summary>
    public void Resize(int kilobytes)
    {
        var (code, output) = Run("mount", "-o", $"remount,size={kilobytes}k", Path);
        Assert.True(code == 0, $"remount failed: {output}");
    }

    /// <summary>Writes a file until the disk is full, leaving no free block.</summary>
    public void Fill()
    {
        using var filler = new FileStream(System.IO.Path.Combine(Path, "filler-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                filler.Write(block);
                filler.Flush();
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        Directory.Delete(Path, recursive: true);
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.ToString(CultureInfo.InvariantCulture));
    }
}
