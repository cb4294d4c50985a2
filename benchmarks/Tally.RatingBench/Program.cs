using Tally.RatingBench;

// tally-ratebench bills | checks | baseline [--name value ...]; see docs/benchmarks.md.
var command = args.Length == 0 ? "bills" : args[0];
var options = new BenchArgs(args.Skip(1));
if (command == "checks")
{
    // The load generator shares the 2 cores with the server it measures. By default each socket completion
    // hops to a thread-pool worker, and idle workers spin (sched_yield) waiting for the next one: measured,
    // that spinning was over half a core taken from the server. Completions run on the socket engine's own
    // threads instead (read once, before the first socket exists); the baseline child does not inherit it.
    Environment.SetEnvironmentVariable(ClosedLoop.InlineCompletions, "1");
}

using var stop = new CancellationTokenSource(TimeSpan.FromHours(2));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
return command switch
{
    "bills" => await BillsScenario.RunAsync(options, stop.Token),
    "checks" => await ChecksScenario.RunAsync(options, stop.Token),
    "baseline" => await BaselineServer.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project benchmarks/Tally.RatingBench -- bills|checks|baseline [--name value ...]");
    return 2;
}
