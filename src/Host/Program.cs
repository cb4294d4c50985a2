using Tally.Host.Cli;

return await TallyCli.RunAsync(args);
