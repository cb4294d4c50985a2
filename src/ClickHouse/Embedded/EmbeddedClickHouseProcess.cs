using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tally.ClickHouse.Embedded;

/// <summary>
/// How to start the embedded ClickHouse role (<c>tally clickhouse</c>) as a child process: the program
/// and the arguments before the role's own options. The host knows its own command line; this adapter does not.
/// </summary>
public sealed record EmbeddedClickHouseCommand(string FileName, IReadOnlyList<string> Arguments);

/// <summary>
/// Runs embedded chDB in a supervised child process and serves its connection string. chDB installs
/// signal handlers of its own, including for the signal .NET turns into NullReferenceException, so in
/// the host's process any null dereference would hang inside libchdb.so; out of process it stays an
/// ordinary exception. The child listens on a fixed loopback port (so a restart is invisible to
/// clients), is restarted with backoff if it dies, exits when its stdin closes (so it follows the host
/// even through SIGKILL), and is stopped with the host.
/// </summary>
public sealed partial class EmbeddedClickHouseProcess : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly EmbeddedClickHouseCommand command;
    private readonly string engineDirectory;
    private readonly string password;
    private readonly string? libraryPath;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private Process? child;
    private Task? supervision;
    private volatile string state = "not started";
    private volatile bool running;

    public EmbeddedClickHouseProcess(
        EmbeddedClickHouseCommand command,
        string engineDirectory,
        int port,
        string password,
        string? libraryPath,
        TimeProvider clock,
        ILogger<EmbeddedClickHouseProcess> logger)
    {
        this.command = command;
        this.engineDirectory = Path.GetFullPath(engineDirectory);
        this.password = password;
        this.libraryPath = libraryPath;
        this.clock = clock;
        this.logger = logger;
        Port = port;
        ConnectionString = $"Host=127.0.0.1;Port={port};Protocol=http;Username=default;Password={password};Database=default;Compression=false";
    }

    /// <summary>The loopback port the child serves ClickHouse's HTTP protocol on.</summary>
    public int Port { get; }

    /// <summary>ClickHouse.Driver connection string of the child (database <c>default</c>).</summary>
    public string ConnectionString { get; }

    /// <summary>True while the child answers; false while it starts, restarts or is stopped.</summary>
    public bool IsRunning => running;

    /// <summary>What the supervisor is doing, for readiness reports and logs.</summary>
    public string State => state;

    /// <summary>The child's process id, while one runs.</summary>
    public int? ProcessId
    {
        get
        {
            lock (gate)
            {
                return child is { HasExited: false } ? child.Id : null;
            }
        }
    }

    /// <summary>Starts the child and waits until it serves; then keeps it running.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await LaunchAsync(cancellationToken).ConfigureAwait(false);
        supervision = Task.Run(SuperviseAsync, CancellationToken.None);
    }

    /// <summary>Closes the child's stdin (it then closes chDB and exits), killing it if it does not exit in time.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        Process? current;
        lock (gate)
        {
            current = child;
        }

        if (current is not null)
        {
            await StopChildAsync(current).ConfigureAwait(false);
        }

        if (supervision is not null)
        {
            await supervision.ConfigureAwait(false);
        }

        state = "stopped";
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        stopping.Dispose();
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        state = "starting";
        var info = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--engine-dir", engineDirectory, "--supervised" })
        {
            info.ArgumentList.Add(argument);
        }

        // The password travels in the environment, never on the command line, where ps would show it.
        info.Environment["TALLY_CLICKHOUSE_PASSWORD"] = password;
        if (!string.IsNullOrEmpty(libraryPath))
        {
            info.Environment["TALLY_CHDB_LIB"] = libraryPath;
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tail = new Queue<string>();
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void OnLine(string? line, bool error)
        {
            if (line is null)
            {
                return;
            }

            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > 40)
                {
                    tail.Dequeue();
                }
            }

            if (ReadyLine().IsMatch(line))
            {
                ready.TrySetResult();
            }

            ClickHouseLog.ChildOutput(logger, error ? LogLevel.Warning : LogLevel.Debug, line);
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, error: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (gate)
        {
            child = process;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping.Token);
        timeout.CancelAfter(StartTimeout);
        var exited = process.WaitForExitAsync(timeout.Token);
        var first = await Task.WhenAny(ready.Task, exited).ConfigureAwait(false);
        if (first != ready.Task || !ready.Task.IsCompletedSuccessfully)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            string output;
            lock (tail)
            {
                output = string.Join('\n', tail);
            }

            state = "failed to start";
            throw new InvalidOperationException(
                $"The embedded ClickHouse process did not start on port {Port} within {StartTimeout.TotalSeconds:0}s (exited: {process.HasExited}). Its last output:\n{output}");
        }

        running = true;
        state = $"running as process {process.Id} on 127.0.0.1:{Port}";
        ClickHouseLog.ChildStarted(logger, process.Id, Port, engineDirectory);
    }

    private async Task SuperviseAsync()
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            Process current;
            lock (gate)
            {
                current = child!;
            }

            try
            {
                await current.WaitForExitAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            running = false;
            if (stopping.IsCancellationRequested)
            {
                return;
            }

            state = $"restarting after exit code {current.ExitCode}";
            ClickHouseLog.ChildExited(logger, current.Id, current.ExitCode, backoff);
            try
            {
                await Task.Delay(backoff, clock, stopping.Token).ConfigureAwait(false);
                await LaunchAsync(stopping.Token).ConfigureAwait(false);
                backoff = TimeSpan.FromSeconds(1);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (InvalidOperationException ex)
            {
                // Most often the previous child still holds chDB's data directory; try again later.
                ClickHouseLog.ChildRestartFailed(logger, ex);
                backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
            }
        }
    }

    private async Task StopChildAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }

        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        running = false;
    }

    [GeneratedRegex("^ClickHouse: ")]
    private static partial Regex ReadyLine();
}
