using Tally.ClickHouse.Embedded;
using Tally.Host.Cli;

namespace Tally.Host.Hosting;

/// <summary>How this process starts another <c>tally</c> role as a child (e.g. the embedded ClickHouse).</summary>
internal static class SelfCommand
{
    public static EmbeddedClickHouseCommand ClickHouse(string dataDirectory) =>
        new(DotnetHost(), [typeof(TallyCli).Assembly.Location, "clickhouse", "--data-dir", dataDirectory]);

    // tally.dll runs on the dotnet host: the one running us when we were started through it, else the one on PATH.
    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
