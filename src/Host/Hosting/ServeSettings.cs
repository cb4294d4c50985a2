namespace Tally.Host.Hosting;

/// <summary>How to start a Tally server process: roles, where it listens, where it keeps state.</summary>
public sealed record ServeSettings(TallyRoles Roles, string DataDirectory, int Port, string BindAddress = "127.0.0.1")
{
    /// <summary>Extra configuration (same keys as appsettings/environment), applied last.</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();

    public string BaseUrl => $"http://{BindAddress}:{Port}";

    /// <summary>The gRPC ingest port (ingest role); null: <c>Ingest:GrpcPort</c>, whose default 0 picks a free port.</summary>
    public int? GrpcPort { get; init; }
}
