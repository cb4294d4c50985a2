namespace Tally.ServiceDefaults;

/// <summary>Where a Tally instance keeps its state (<c>--data-dir</c>, configuration key <c>DataDir</c>).</summary>
public sealed class TallyPaths(string dataDirectory)
{
    public string DataDirectory { get; } = Path.GetFullPath(dataDirectory);

    public string Under(params string[] parts) => Path.Combine([DataDirectory, .. parts]);
}
