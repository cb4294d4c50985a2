using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Tally.ServiceDefaults;

/// <summary>
/// The operator's admin token: configured, or generated once per data directory. Several processes
/// sharing a data directory agree on one token because the file is created exclusively.
/// </summary>
public sealed class AdminToken
{
    public AdminToken(IOptions<AdminTokenOptions> options, TallyPaths paths)
    {
        var configured = options.Value.Token;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            Value = configured;
        }
        else
        {
            (Value, WasGenerated) = LoadOrCreate(paths.Under("admin-token"));
        }
    }

    /// <summary>The token in clear, for printing once at first start.</summary>
    public string Value { get; }

    /// <summary>True when this process created the token (first start on this data directory).</summary>
    public bool WasGenerated { get; }

    /// <summary>
    /// Constant-time comparison, so response timing does not leak the token's characters; only whether the
    /// candidate has the token's length, which is no secret (a generated token is "tadm_" and 43 characters).
    /// Every tenant request is compared here first, so it costs no hash.
    /// </summary>
    public bool Matches(string candidate) =>
        candidate.Length == Value.Length
        && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(candidate.AsSpan()), MemoryMarshal.AsBytes(Value.AsSpan()));

    private static (string Token, bool Created) LoadOrCreate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var token = "tadm_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        try
        {
            using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            stream.Write(Encoding.UTF8.GetBytes(token));
            stream.Flush(flushToDisk: true);
            return (token, true);
        }
        catch (IOException) when (File.Exists(path))
        {
            return (File.ReadAllText(path).Trim(), false);
        }
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
