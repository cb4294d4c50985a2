using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.ClickHouse;
using Xunit;

namespace Tally.Tests.ClickHouse;

/// <summary>
/// Data survives closing the embedded engine and booting it again. chDB boots once per process, so
/// each boot is a child process: this test assembly running only <see cref="Probe"/>, whose
/// <see cref="EmbeddedClickHouseFixture"/> then opens the directory the parent chose.
/// </summary>
[Collection(ChdbCollection.Name)]
public sealed class EmbeddedPersistenceTests(EmbeddedClickHouseFixture fixture)
{
    private const string ModeVariable = "TALLY_CH_PROBE_MODE";
    private const string ValueVariable = "TALLY_CH_PROBE_VALUE";
    private const string ResultVariable = "TALLY_CH_PROBE_RESULT";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restart_NewProcessOnSameDirectory_ReadsPreviouslyWrittenRows()
    {
        var directory = Path.Combine(Path.GetTempPath(), "tally-chdb-persist-" + Guid.NewGuid().ToString("N"));
        var value = "persisted-" + Guid.NewGuid().ToString("N");
        try
        {
            var written = await RunProbeAsync(directory, "write", value);
            var read = await RunProbeAsync(directory, "read", value);

            Assert.Equal("written", written);
            Assert.Equal(value, read);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>The child-process half of the test above; skipped in a normal run.</summary>
    [Fact]
    public async Task Probe()
    {
        var mode = Environment.GetEnvironmentVariable(ModeVariable);
        if (string.IsNullOrEmpty(mode))
        {
            Assert.Skip("Runs only as the child process of Restart_NewProcessOnSameDirectory_ReadsPreviouslyWrittenRows.");
        }

        using var client = new DriverClickHouse(fixture.ConnectionString("tally_persistence"), NullLogger<DriverClickHouse>.Instance);
        string result;
        if (mode == "write")
        {
            await client.ExecuteAsync("CREATE TABLE kept (value String) ENGINE = MergeTree ORDER BY value", null, Ct);
            await client.ExecuteAsync(
                "INSERT INTO kept SELECT {v:String}",
                new Dictionary<string, object?> { ["v"] = Environment.GetEnvironmentVariable(ValueVariable) },
                Ct);
            result = "written";
        }
        else
        {
            var rows = await client.QueryAsync("SELECT value FROM kept", null, r => r.GetString(0), Ct);
            result = string.Join(",", rows);
        }

        await File.WriteAllTextAsync(Environment.GetEnvironmentVariable(ResultVariable)!, result, Ct);
    }

    private static async Task<string> RunProbeAsync(string directory, string mode, string value)
    {
        var resultFile = Path.Combine(Path.GetTempPath(), "tally-chdb-probe-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "exec", typeof(EmbeddedPersistenceTests).Assembly.Location, "-method", $"{typeof(EmbeddedPersistenceTests).FullName}.{nameof(Probe)}", "-noLogo" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[EmbeddedClickHouseFixture.DataDirectoryVariable] = directory;
        start.Environment[ModeVariable] = mode;
        start.Environment[ValueVariable] = value;
        start.Environment[ResultVariable] = resultFile;
        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEndAsync(Ct);
        var error = child.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await child.WaitForExitAsync(timeout.Token);

        var stdout = await output;
        var stderr = await error;
        Assert.True(
            child.ExitCode == 0 && File.Exists(resultFile),
            string.Create(CultureInfo.InvariantCulture, $"probe '{mode}' exited {child.ExitCode}:\n{stdout}\n{stderr}"));
        try
        {
            return await File.ReadAllTextAsync(resultFile, Ct);
        }
        finally
        {
            File.Delete(resultFile);
        }
    }
}
