using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tally.RatingBench;

/// <summary>
/// <c>baseline</c>: a bare ASP.NET Core endpoint (same host builder and Kestrel as Tally, no auth, no
/// routing groups, no work) answering <c>GET /value</c> with a constant JSON body: the ceiling the
/// entitlement route is compared with in the same run. Runs in a process of its own, started by
/// <c>checks</c>, and exits when its standard input closes.
/// </summary>
public static class BaselineServer
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var port = args.Int("port", 0);
        var body = await File.ReadAllBytesAsync(args.Text("body-file") ?? throw new ArgumentException("--body-file is required"));
        args.EnsureAllRead();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapGet("/value", () => Results.Bytes(body, "application/json"));
        await app.StartAsync();
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }

    /// <summary>Starts the baseline in a child process of this harness and waits until it answers.</summary>
    public static async Task<Process> StartAsync(int port, string bodyFile)
    {
        var self = typeof(BaselineServer).Assembly.Location;
        var info = new ProcessStartInfo(Environment.ProcessPath!, Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? [self] : [])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // A server like the one measured: completions on the thread pool, as Tally runs them.
        info.Environment.Remove(ClosedLoop.InlineCompletions);
        foreach (var arg in new[] { "baseline", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--body-file", bodyFile })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("the baseline server did not start");
        var line = await process.StandardOutput.ReadLineAsync();
        return line == "ready" ? process : throw new InvalidOperationException($"the baseline server said '{line}'");
    }
}
