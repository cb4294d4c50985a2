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
    private readonly byte[] _hash;

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

        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(Value));
    }

    /// <summary>The token in clear, for printing once at first start.</summary>
    public string Value { get; }

    /// <summary>True when this process created the token (first start on this data directory).</summary>
    public bool WasGenerated { get; }

    /// <summary>Constant-time comparison, so response timing does not leak the token.</summary>
    public bool Matches(string candidate) =>
        CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(candidate)));

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
