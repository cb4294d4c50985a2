using System.Text;
using System.Text.RegularExpressions;

namespace Tally.ClickHouse.Embedded;

/// <summary>
/// An INSERT whose rows come in the request body (<c>query=INSERT INTO t (columns) FORMAT f</c>, as ClickHouse.Driver's
/// bulk and raw-stream inserts send it). chDB reads data inlined after an INSERT only to the end of its line, so
/// binary rows (RowBinary, Native), which hold newline bytes anywhere, would be cut short, silently when the cut
/// falls between rows. The body is therefore written to a file and inserted with <c>FROM INFILE</c>, which chDB
/// reads whole.
/// </summary>
internal static partial class ChdbInsertFile
{
    /// <summary>The statement to run instead, and the file holding the rows; null when <paramref name="urlQuery"/> is no such INSERT.</summary>
    public static async Task<(byte[] Sql, string Path)?> SpoolAsync(string urlQuery, Func<Stream> openBody, string directory, CancellationToken cancellationToken)
    {
        var match = InsertWithFormat().Match(urlQuery);
        if (!match.Success)
        {
            return null;
        }

        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"insert-{Guid.NewGuid():N}.data");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            await using var body = openBody();
            await using var file = new FileStream(path, options);
            await body.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        // The path is ours (a directory we chose and a GUID), so it needs no escaping beyond the quotes.
        var sql = $"{match.Groups["head"].Value} FROM INFILE '{path}' FORMAT {match.Groups["format"].Value}";
        return (Encoding.UTF8.GetBytes(sql), path);
    }

    [GeneratedRegex(@"^\s*(?!.*\bSELECT\b)(?<head>INSERT\s+INTO\s+[^']*?)\s+FORMAT\s+(?<format>\w+)\s*$", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex InsertWithFormat();
}
