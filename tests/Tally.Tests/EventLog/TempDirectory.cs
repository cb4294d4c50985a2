namespace Tally.Tests.EventLog;

/// <summary>A fresh directory under the system temp path, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("tally-eventlog-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
