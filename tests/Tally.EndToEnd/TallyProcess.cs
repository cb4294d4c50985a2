using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Tally.EndToEnd;

/// <summary>
/// A <c>tally</c> CLI process started from the build output (the same tally.dll that <c>./tally</c>
/// runs), with its output captured so a test can wait for a line and show the log on failure.
/// </summary>
public sealed class TallyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];
    private readonly Lock _lock = new();

    private TallyProcess(Process process) => _process = process;

    public string Name { get; private init; } = "";

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    public static TallyProcess Start(string name, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tally.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var tally = new TallyProcess(process) { Name = name };
        process.OutputDataReceived += (_, e) => tally.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => tally.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tally;
    }

    /// <summary>Waits for an output line matching <paramref name="pattern"/> (seen before or after the call).</summary>
    public async Task<Match> WaitForLineAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern);
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            foreach (var line in _output.ToString().Split('\n'))
            {
                var match = regex.Match(line);
                if (match.Success)
                {
                    return match;
                }
            }

            _waiters.Add((regex, found));
        }

        var exited = _process.WaitForExitAsync();
        var winner = await Task.WhenAny(found.Task, exited, Task.Delay(timeout));
        if (winner != found.Task)
        {
            throw new TimeoutException($"{Name} did not print /{pattern}/ within {timeout} (exited: {_process.HasExited}). Output:\n{Output}");
        }

        return await found.Task;
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or the OOM killer.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGKILL of this process alone, leaving its children to notice by themselves.</summary>
    public async Task KillHostOnlyAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Sends <paramref name="signal"/> (TERM, or INT as Ctrl-C does), then waits for the process to exit.</summary>
    public async Task<int> StopAsync(TimeSpan timeout, string signal = "TERM")
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        }

        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Waits for the process to end by itself; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _output.Append(line).Append('\n');
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var match = _waiters[i].Pattern.Match(line);
                if (match.Success)
                {
                    _waiters[i].Found.TrySetResult(match);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
