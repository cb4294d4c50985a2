using System.Runtime.InteropServices;

namespace Tally.Host.Hosting;

/// <summary>
/// Keeps Tally's state private to its user: every file this process (and its children, which inherit
/// the mask) creates is 0600 and every directory 0700, and the data directory itself is made 0700, so
/// no other local user reads customers, event payloads or API-key hashes.
/// </summary>
internal static partial class PrivateFiles
{
    private const uint OwnerOnly = 0b000_111_111; // umask 077: clear group and other bits

    /// <summary>Sets the process's file mode mask; call before anything creates a file.</summary>
    public static void Apply()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = Umask(OwnerOnly);
        }
    }

    /// <summary>Creates <paramref name="directory"/> if needed and makes it 0700, even if an older version created it open.</summary>
    public static void Secure(string directory)
    {
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);
}
