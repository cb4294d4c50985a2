using Tally.Bench;

return await BenchCommand.RunAsync(args);
