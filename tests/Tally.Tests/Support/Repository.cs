namespace Tally.Tests.Support;

/// <summary>The repository the tests run from (the directory holding Tally.slnx).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tally.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Tally.slnx above {AppContext.BaseDirectory}.");
    }
}
