using System.CommandLine;
using Tally.Host.Hosting;

namespace Tally.Host.Cli;

/// <summary>The <c>tally</c> command line: run servers, and the operator's shortcuts to the admin API.</summary>
public static class TallyCli
{
    public static Task<int> RunAsync(string[] args)
    {
        PrivateFiles.Apply();
        var root = new RootCommand("Tally: usage metering and billing.");
        root.Subcommands.Add(ServeCommands.Up());
        root.Subcommands.Add(ServeCommands.Serve());
        root.Subcommands.Add(ServeCommands.ClickHouse());
        root.Subcommands.Add(ServeCommands.KafkaMock());
        root.Subcommands.Add(AdminCommands.Tenant());
        root.Subcommands.Add(AdminCommands.Close());

        // Servers handle Ctrl-C/SIGTERM through the generic host; System.CommandLine must not race them.
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
