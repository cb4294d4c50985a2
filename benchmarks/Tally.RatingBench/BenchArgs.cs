using System.Globalization;

namespace Tally.RatingBench;

/// <summary><c>--name value</c> pairs after the command; unknown names are refused so a typo never runs the defaults silently.</summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public BenchArgs(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= list.Count)
            {
                throw new ArgumentException($"expected --name value pairs, got '{list[i]}'");
            }

            _values[list[i][2..]] = list[++i];
        }
    }

    public int Int(string name, int fallback) => Read(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => Read(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public string? Text(string name) => Read(name);

    /// <summary>Throws when an argument was given that no option read.</summary>
    public void EnsureAllRead()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }

    private string? Read(string name)
    {
        _read.Add(name);
        return _values.GetValueOrDefault(name);
    }
}
