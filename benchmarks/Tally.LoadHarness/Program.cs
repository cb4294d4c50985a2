using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tally.Host.Hosting;
using Tally.LoadHarness;

// One Tally server for the whole process: chDB boots once per process with one storage path, and a
// tenant per run keeps the runs' meters and totals apart without paying chDB's boot per run.
var options = HarnessOptions.Parse(args);
Console.WriteLine($"# Tally load harness\n\ncommand: `{("dotnet run -c Release --project benchmarks/Tally.LoadHarness -- " + string.Join(' ', args)).TrimEnd()}`");
Console.WriteLine($"settings: {options}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, dotnet --version {DotnetVersion()}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, server GC {System.Runtime.GCSettings.IsServerGC}\n");

var dataDir = Directory.CreateTempSubdirectory("tally-load-").FullName;
var port = Tally.Host.Hosting.FreePorts.Next();
var adminToken = $"tadm_load-{Guid.NewGuid():N}";
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(30));
var settings = new ServeSettings(TallyRoles.All, dataDir, port)
{
    Configuration = new Dictionary<string, string?>
    {
        ["Admin:Token"] = adminToken,
        ["Logging:LogLevel:Default"] = options.ServerLogLevel,
    },
};
var app = TallyServer.Build(settings);
var results = new List<RunResult>();
var grpcRates = new List<double>();
var grpcFailed = false;
try
{
    var booted = Stopwatch.GetTimestamp();
    await app.StartAsync(stop.Token);
    Console.WriteLine($"server started in {Stopwatch.GetElapsedTime(booted).TotalSeconds:F1} s on {port}, data in {dataDir}");
    var baseUrl = new Uri($"http://127.0.0.1:{port}");
    using var admin = new TallyAdminClient(baseUrl, adminToken);
    var run = new LoadRun(baseUrl, admin, options);
    if (options.WarmupEvents > 0)
    {
        var warmup = await run.ExecuteAsync("warmup", options.WarmupEvents, stop.Token);
        Console.WriteLine($"warm-up ({options.WarmupEvents} events, not reported): {(warmup.Failure ?? "ok")}");
    }

    for (var i = 1; i <= options.Runs; i++)
    {
        var result = await run.ExecuteAsync($"run{i}", options.Events, stop.Token);
        results.Add(result);
        Console.WriteLine($"run {i}: ingest {result.IngestEventsPerSecond:N0} ev/s, end-to-end {result.EndToEndEventsPerSecond:N0} ev/s, append {result.AppendEventsPerSecond:N0} ev/s");
        if (result.Failure is not null)
        {
            Console.Error.WriteLine($"RUN {i} FAILED: {result.Failure}");
        }
    }

    for (var i = 1; i <= options.Runs; i++)
    {
        var (rate, failure) = await GrpcStreamLoad.RunAsync(new Uri(TallyServer.GrpcUrl(app, settings)!), admin, options, options.Events, stop.Token);
        grpcRates.Add(rate);
        Console.WriteLine($"gRPC stream run {i}: ingest {rate:N0} ev/s{(failure is null ? "" : " FAILED: " + failure)}");
        grpcFailed |= failure is not null;
    }
}
finally
{
    await app.StopAsync(CancellationToken.None);
    await app.DisposeAsync();
    Directory.Delete(dataDir, recursive: true);
}

Console.WriteLine();
Console.WriteLine(ResultTable.Render(results));
Console.WriteLine($"gRPC IngestStream ({options.Concurrency} streams, batch {options.Batch}): median {(grpcRates.Count == 0 ? 0 : grpcRates.Order().ElementAt(grpcRates.Count / 2)):N0} events/s over {grpcRates.Count} runs");
Console.WriteLine($"peak RSS of this process (gateway, aggregator, API and load generator): {GrpcStreamLoad.PeakRssBytes() / (1024 * 1024)} MiB");
return results.All(r => r.Failure is null) && !grpcFailed ? 0 : 1;

static string DotnetVersion()
{
    using var process = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!;
    var version = process.StandardOutput.ReadToEnd().Trim();
    return process.WaitForExit(TimeSpan.FromSeconds(30)) ? version : "unknown";
}
