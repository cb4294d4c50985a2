using System.Globalization;
using Tally.Host.Hosting;

namespace Tally.EndToEnd;

/// <summary>
/// The <c>tally</c> processes one multi-process test starts, on one data directory: librdkafka's mock
/// cluster, the shared embedded ClickHouse, servers by role. Disposing them (newest first) hands each
/// one's output to the test log when the test failed, SIGKILLs them and deletes the directory.
/// </summary>
internal sealed class TallyProcesses(string prefix) : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly List<TallyProcess> _processes = [];

    public string DataDir { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public IReadOnlyList<TallyProcess> All => _processes;

    /// <summary>Starts <c>tally kafka-mock</c>; its bootstrap servers.</summary>
    public async Task<string> StartKafkaMockAsync() =>
        (await Start("kafka-mock", [], "kafka-mock").WaitForLineAsync(@"^Kafka: (\S+)$", StartTimeout)).Groups[1].Value;

    /// <summary>
    /// Starts <c>tally kafka-mock --port {port}</c>: one broker on a loopback port of the test's choosing, so a mock
    /// started again after this process is killed is where the clients left it (empty).
    /// </summary>
    public async Task<TallyProcess> StartKafkaMockAsync(int port)
    {
        var mock = Start("kafka-mock", [], "kafka-mock", "--port", port.ToString(CultureInfo.InvariantCulture));
        await mock.WaitForLineAsync(@"^Kafka: (\S+)$", StartTimeout);
        return mock;
    }

    /// <summary>Starts <c>tally clickhouse</c> behind <paramref name="password"/>; the driver connection string, password included.</summary>
    public async Task<string> StartClickHouseAsync(string password)
    {
        var clickHouse = Start("clickhouse", new() { ["TALLY_CLICKHOUSE_PASSWORD"] = password },
            "clickhouse", "--port", FreePorts.Next().ToString(CultureInfo.InvariantCulture), "--data-dir", DataDir);

        // The role prints its connection string without the password, which the operator already has.
        var connection = (await clickHouse.WaitForLineAsync(@"^ClickHouse: (\S+)$", StartTimeout)).Groups[1].Value;
        Assert.DoesNotContain(password, clickHouse.Output, StringComparison.Ordinal);
        return connection + ";Password=" + password;
    }

    /// <summary>Starts <c>tally serve --roles {role}</c> on <paramref name="port"/> (not waiting for it to be up).</summary>
    public TallyProcess Server(string role, Dictionary<string, string> environment, int port, string? name = null) =>
        Start(name ?? role, environment, "serve", "--roles", role, "--port", port.ToString(CultureInfo.InvariantCulture), "--data-dir", DataDir);

    public TallyProcess Start(string name, Dictionary<string, string> environment, params string[] args)
    {
        var process = TallyProcess.Start(name, environment, args);
        _processes.Add(process);
        return process;
    }

    /// <summary>Waits until every one of <paramref name="servers"/> says it is up.</summary>
    public static async Task UpAsync(params TallyProcess[] servers)
    {
        foreach (var server in servers)
        {
            await server.WaitForLineAsync("^Tally is up: ", StartTimeout);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // TALLY_E2E_LOG_DIR keeps every process's whole output, for a failure the last 20,000 characters do not explain.
        var logDirectory = Environment.GetEnvironmentVariable("TALLY_E2E_LOG_DIR");
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            if (!string.IsNullOrEmpty(logDirectory))
            {
                Directory.CreateDirectory(logDirectory);
                await File.WriteAllTextAsync(Path.Combine(logDirectory, $"{Path.GetFileName(DataDir)}-{i:D2}-{_processes[i].Name}.log"), _processes[i].Output);
            }

            if (TestContext.Current.TestState?.Result == TestResult.Failed)
            {
                var output = _processes[i].Output;
                TestContext.Current.SendDiagnosticMessage($"--- {_processes[i].Name} ---\n{output[^Math.Min(output.Length, 20_000)..]}");
            }

            await _processes[i].DisposeAsync();
        }

        Directory.Delete(DataDir, recursive: true);
    }
}
