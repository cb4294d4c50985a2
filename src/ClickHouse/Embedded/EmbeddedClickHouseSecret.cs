using System.Security.Cryptography;

namespace Tally.ClickHouse.Embedded;

/// <summary>The embedded engine's password, kept in a file only its owner may read.</summary>
public static class EmbeddedClickHouseSecret
{
    /// <summary>Reads the embedded engine's password, generating it (owner-only, 0600) on first start.</summary>
    public static string ReadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var temporary = path + "." + Environment.ProcessId + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, options))
        {
            writer.Write(password);
        }

        try
        {
            // No overwrite: when two processes race, the first one's password wins for both.
            File.Move(temporary, path, overwrite: false);
            return password;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return File.ReadAllText(path).Trim();
        }
    }
}
