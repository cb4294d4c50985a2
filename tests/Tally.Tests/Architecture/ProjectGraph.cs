using System.Xml.Linq;

namespace Tally.Tests.Architecture;

/// <summary>One project of the solution as its .csproj declares it.</summary>
public sealed record ProjectNode(
    string Name,
    IReadOnlyList<string> Packages,
    IReadOnlyList<string> Projects,
    IReadOnlyList<string> Frameworks,
    IReadOnlyList<string> InternalsVisibleTo);

/// <summary>The projects under <c>src/</c> and their references, read from the .csproj files.</summary>
public sealed class ProjectGraph(IReadOnlyDictionary<string, ProjectNode> nodes)
{
    public IReadOnlyDictionary<string, ProjectNode> Nodes { get; } = nodes;

    public static ProjectGraph Load(string sourceDirectory)
    {
        var nodes = Directory.EnumerateFiles(sourceDirectory, "*.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(Parse)
            .ToDictionary(node => node.Name, StringComparer.Ordinal);
        return new ProjectGraph(nodes);
    }

    /// <summary>The projects <paramref name="name"/> references, directly or through other projects.</summary>
    public IReadOnlySet<string> ProjectClosure(string name)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(Nodes[name].Projects);
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next) && Nodes.TryGetValue(next, out var node))
            {
                foreach (var reference in node.Projects)
                {
                    pending.Push(reference);
                }
            }
        }

        return seen;
    }

    /// <summary>The packages <paramref name="name"/> gets: its own and those of every project it references.</summary>
    public IReadOnlySet<string> PackageClosure(string name) =>
        ProjectClosure(name).Append(name)
            .Where(Nodes.ContainsKey)
            .SelectMany(project => Nodes[project].Packages)
            .ToHashSet(StringComparer.Ordinal);

    private static ProjectNode Parse(string path)
    {
        var document = XDocument.Load(path);
        IReadOnlyList<string> Items(string element) =>
            [.. document.Descendants(element).Select(e => (string?)e.Attribute("Include")).OfType<string>()];
        return new ProjectNode(
            Path.GetFileNameWithoutExtension(path),
            Items("PackageReference"),
            [.. Items("ProjectReference").Select(Path.GetFileNameWithoutExtension).OfType<string>()],
            Items("FrameworkReference"),
            Items("InternalsVisibleTo"));
    }
}
