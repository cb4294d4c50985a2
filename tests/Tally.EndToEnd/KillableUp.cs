using System.Globalization;
using Tally.Host.Hosting;

namespace Tally.EndToEnd;

/// <summary>
/// <c>tally up</c> on one data directory that a test SIGKILLs and starts again: each start waits for
/// the "Tally is up" line; disposing deletes the directory and, when the test failed, hands the last
/// process output to the test log.
/// </summary>
internal sealed class KillableUp : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-killable-").FullName;
    private TallyProcess? _server;

    public KillableUp(IReadOnlyDictionary<string, string> environment)
    {
        _environment = environment;
        BaseUrl = new Uri($"http://127.0.0.1:{Port}");
    }

    public int Port { get; } = FreePorts.Next();

    public Uri BaseUrl { get; }

    public int Starts { get; private set; }

    public async Task StartAsync()
    {
        Starts++;
        _server = TallyProcess.Start("up", _environment, "up", "--port", Port.ToString(CultureInfo.InvariantCulture), "--data-dir", _dataDir);
        await _server.WaitForLineAsync("^Tally is up: ", TimeSpan.FromSeconds(120));
    }

    /// <summary>SIGKILLs the running process and starts a new one on the same data directory.</summary>
    public async Task KillAndRestartAsync()
    {
        await _server!.KillAsync();
        await _server.DisposeAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            if (TestContext.Current.TestState?.Result == TestResult.Failed)
            {
                TestContext.Current.SendDiagnosticMessage(_server.Output[^Math.Min(_server.Output.Length, 20_000)..]);
            }

            await _server.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }
}
