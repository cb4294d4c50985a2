using System.Security.Cryptography;

namespace Tally.Stripe.Apps;

/// <summary>The embedded default's encryption key: generated once per data directory into an owner-only (0600) file.</summary>
internal static class EncryptionKeyFile
{
    public static byte[] ReadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return Read(path);
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(StripeOptions.EncryptionKeyBytes);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        using (var writer = new StreamWriter(temporary, options))
        {
            writer.Write(Convert.ToBase64String(key));
        }

        try
        {
            // No overwrite: when two processes race, the first one's key wins for both.
            File.Move(temporary, path, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return Read(path);
        }
    }

    private static byte[] Read(string path) =>
        StripeOptions.DecodeEncryptionKey(File.ReadAllText(path))
        ?? throw new InvalidOperationException($"{path} does not hold a {StripeOptions.EncryptionKeyBytes}-byte base64 key; restore it or set Stripe:EncryptionKey.");
}
