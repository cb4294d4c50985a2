using System.Globalization;
using System.Net;
using Tally.Host.Hosting;

namespace Tally.EndToEnd;

/// <summary><c>tally up</c> as a person runs it: first start prints the URL and admin token; Ctrl-C stops it cleanly.</summary>
public sealed class UpLifecycleTests : IAsyncLifetime
{
    // A data directory that does not exist yet, as on a first start; tally up creates it.
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "tally-up-" + Guid.NewGuid().ToString("N"));
    private readonly List<TallyProcess> _processes = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Up_FirstStartThenCtrlC_PrintsTokenOnceAndExitsZero()
    {
        var port = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        var first = Start("up", "--port", port, "--data-dir", _dataDir);
        await first.WaitForLineAsync($"^Tally is up: http://127.0.0.1:{port}$", TimeSpan.FromSeconds(90));
        var token = (await first.WaitForLineAsync(@"^Admin token \(shown once; kept in .+admin-token\): (tadm_\S+)$", TimeSpan.FromSeconds(10))).Groups[1].Value;
        Assert.Equal(token, File.ReadAllText(Path.Combine(_dataDir, "admin-token")));

        using var api = new PipelineApi(new Uri($"http://127.0.0.1:{port}"), new Uri($"http://127.0.0.1:{port}"));
        await api.CreateTenantAsync(token, "first");
        Assert.Equal(0, await first.StopAsync(TimeSpan.FromSeconds(60), "INT"));
        Assert.Contains("Embedded ClickHouse runs as process", first.Output, StringComparison.Ordinal);

        // Everything Tally wrote (ledger, WAL, log segments, offsets, ClickHouse data, secrets) is its user's alone.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dataDir));
        var shared = Directory.EnumerateFileSystemEntries(_dataDir, "*", SearchOption.AllDirectories)
            .Where(path => (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            .Select(path => Path.GetRelativePath(_dataDir, path))
            .ToList();
        Assert.Empty(shared);
        Assert.Contains(Directory.EnumerateFiles(_dataDir, "*", SearchOption.AllDirectories), path => path.EndsWith("ledger.db", StringComparison.Ordinal));

        var second = Start("up", "--port", port, "--data-dir", _dataDir);
        await second.WaitForLineAsync("^Tally is up: ", TimeSpan.FromSeconds(90));
        var tenants = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/admin/tenants", token);
        Assert.Equal("first", Assert.Single(tenants.EnumerateArray()).GetProperty("name").GetString());
        Assert.DoesNotContain("Admin token", second.Output, StringComparison.Ordinal);
        Assert.Equal(0, await second.StopAsync(TimeSpan.FromSeconds(60), "INT"));
    }

    private TallyProcess Start(params string[] args)
    {
        var process = TallyProcess.Start("up", new Dictionary<string, string>(), args);
        _processes.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (TestContext.Current.TestState?.Result == TestResult.Failed)
            {
                TestContext.Current.SendDiagnosticMessage(process.Output);
            }

            await process.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }
}
