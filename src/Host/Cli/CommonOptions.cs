using System.CommandLine;
using Tally.ServiceDefaults;

namespace Tally.Host.Cli;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static Option<string> DataDir() => new("--data-dir")
    {
        Description = "Directory for Tally's state (event log, ClickHouse data, ledger, admin token).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TALLY_DATA_DIR") ?? Path.Combine(Environment.CurrentDirectory, ".tally", "data"),
    };

    public static Option<int> Port(int defaultPort) => new("--port")
    {
        Description = "TCP port to listen on.",
        DefaultValueFactory = _ => defaultPort,
    };

    public static Option<int?> GrpcPort() => new("--grpc-port")
    {
        Description = "TCP port of the gRPC ingest service (HTTP/2 without TLS); default Ingest:GrpcPort, else a free port (printed at start).",
    };

    public static Option<string> Bind() => new("--bind")
    {
        Description = "Address to listen on; 0.0.0.0 to accept connections from other machines.",
        DefaultValueFactory = _ => "127.0.0.1",
    };

    public static Option<string> Url() => new("--url")
    {
        Description = "Base URL of a running Tally (default $TALLY_URL or http://127.0.0.1:8080).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TALLY_URL") ?? "http://127.0.0.1:8080",
    };

    public static Option<string?> AdminToken() => new("--admin-token")
    {
        Description = "Admin token (default $TALLY_ADMIN_TOKEN, else the one kept in --data-dir).",
    };
}
