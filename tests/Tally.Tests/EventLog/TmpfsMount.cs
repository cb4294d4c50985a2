using System.Diagnostics;

namespace Tally.Tests.EventLog;

/// <summary>
/// A size-limited tmpfs mounted on a fresh directory, to fill a disk for real. Needs root (or CAP_SYS_ADMIN);
/// <see cref="TryMount"/> returns null where mounting is not permitted, and the caller must then fall back to
/// an injected fault rather than pass without testing anything.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private readonly TempDirectory _directory;

    private TmpfsMount(TempDirectory directory) => _directory = directory;

    public string Path => _directory.Path;

    public static TmpfsMount? TryMount(int sizeKiB)
    {
        var directory = new TempDirectory();
        if (Run("mount", "-t", "tmpfs", "-o", $"size={sizeKiB}k", "tmpfs", directory.Path) is { } error)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"tmpfs not mountable here ({error}); using an injected fault instead.");
            directory.Dispose();
            return null;
        }

        return new TmpfsMount(directory);
    }

    /// <summary>Grows (or shrinks) the mounted file system in place.</summary>
    public void Resize(int sizeKiB)
    {
        if (Run("mount", "-o", $"remount,size={sizeKiB}k", Path) is { } error)
        {
            throw new InvalidOperationException($"Remounting {Path} failed: {error}");
        }
    }

    public void Dispose()
    {
        if (Run("umount", Path) is { } error)
        {
            throw new InvalidOperationException($"Unmounting {Path} failed: {error}");
        }

        _directory.Dispose();
    }

    /// <summary>Runs a command; returns null on success, otherwise what went wrong.</summary>
    private static string? Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"{command} exited with {process.ExitCode}: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"{command} could not start: {ex.Message}";
        }
    }
}
