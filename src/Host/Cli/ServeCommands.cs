using System.CommandLine;
using Tally.ClickHouse.Embedded;
using Tally.EventLog.Kafka;
using Tally.Host.Hosting;
using Tally.ServiceDefaults;

namespace Tally.Host.Cli;

/// <summary>Commands that run a server process until Ctrl-C or SIGTERM.</summary>
internal static class ServeCommands
{
    public static Command Up()
    {
        var port = CommonOptions.Port(8080);
        var dataDir = CommonOptions.DataDir();
        var bind = CommonOptions.Bind();
        var grpcPort = CommonOptions.GrpcPort();
        var command = new Command("up", "Run the whole pipeline in this process on embedded defaults (or what configuration names).") { port, dataDir, bind, grpcPort };
        command.SetAction((result, _) => RunServerAsync(new ServeSettings(TallyRoles.All, result.GetValue(dataDir)!, result.GetValue(port), result.GetValue(bind)!) { GrpcPort = result.GetValue(grpcPort) }));
        return command;
    }

    public static Command Serve()
    {
        var roles = new Option<string>("--roles")
        {
            Description = "Comma-separated roles: ingest, aggregator, api (default all).",
            DefaultValueFactory = _ => "ingest,aggregator,api",
        };
        var port = CommonOptions.Port(8080);
        var dataDir = CommonOptions.DataDir();
        var bind = CommonOptions.Bind();
        var grpcPort = CommonOptions.GrpcPort();
        var command = new Command("serve", "Run some of Tally's roles in this process, for a multi-process deployment.") { roles, port, dataDir, bind, grpcPort };
        command.SetAction((result, _) =>
        {
            var parsed = TallyRoles.None;
            foreach (var name in result.GetValue(roles)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Enum.TryParse<TallyRoles>(name, ignoreCase: true, out var role) || role == TallyRoles.None)
                {
                    Console.Error.WriteLine($"Unknown role '{name}'; use ingest, aggregator or api.");
                    return Task.FromResult(2);
                }

                parsed |= role;
            }

            return RunServerAsync(new ServeSettings(parsed, result.GetValue(dataDir)!, result.GetValue(port), result.GetValue(bind)!) { GrpcPort = result.GetValue(grpcPort) });
        });
        return command;
    }

    public static Command ClickHouse()
    {
        var port = CommonOptions.Port(8123);
        var dataDir = CommonOptions.DataDir();
        var engineDir = new Option<string?>("--engine-dir") { Description = "Directory of the engine's data (default: DATA_DIR/clickhouse)." };
        var supervised = new Option<bool>("--supervised") { Description = "Exit when standard input closes (how tally up runs it as a child).", Hidden = true };
        var command = new Command("clickhouse", "Serve the embedded ClickHouse (chDB) over HTTP on loopback, for Tally processes to share.") { port, dataDir, engineDir, supervised };
        command.SetAction(async (result, cancellationToken) =>
        {
            var data = result.GetValue(dataDir)!;
            PrivateFiles.Secure(data);
            var secretFile = Path.Combine(data, "clickhouse.secret");
            var password = Environment.GetEnvironmentVariable("TALLY_CLICKHOUSE_PASSWORD");
            if (string.IsNullOrEmpty(password))
            {
                password = EmbeddedClickHouseSecret.ReadOrCreate(secretFile);
            }

            using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(options => options.SingleLine = true));
            using var stop = new ShutdownSignal();
            if (result.GetValue(supervised))
            {
                // The parent holds our stdin: when it exits (even by SIGKILL) the pipe closes and we follow.
                _ = Task.Run(
                    async () =>
                    {
                        await Console.In.ReadToEndAsync(CancellationToken.None);
                        stop.Stop();
                    },
                    CancellationToken.None);
            }

            await using var engine = await EmbeddedClickHouse.StartAsync(
                result.GetValue(engineDir) ?? Path.Combine(data, "clickhouse"), null, result.GetValue(port), password, loggers, stop.Token);
            // The connection string without its password: that stays in TALLY_CLICKHOUSE_PASSWORD or the secret file.
            Console.Out.WriteLine($"ClickHouse: Host={engine.Endpoint.Host};Port={engine.Endpoint.Port};Protocol=http;Username=default;Database=default;Compression=false");
            Console.Out.WriteLine(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TALLY_CLICKHOUSE_PASSWORD"))
                ? $"Password: in {secretFile} (add ;Password=... to the connection string)"
                : "Password: the value of TALLY_CLICKHOUSE_PASSWORD (add ;Password=... to the connection string)");
            await Console.Out.FlushAsync(cancellationToken);
            await stop.WaitAsync();
            return 0;
        });
        return command;
    }

    public static Command KafkaMock()
    {
        var port = new Option<int>("--port")
        {
            Description = "Serve one broker on this loopback port (default: ephemeral ports). Started again on the same port after a crash, the mock is where clients left it, empty.",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command("kafka-mock", "Run librdkafka's in-memory mock Kafka cluster (a test double: small, volatile) and print its bootstrap servers.") { port };
        command.SetAction(async (result, _) =>
        {
            using var stop = new ShutdownSignal();
            using var cluster = new MockKafkaCluster(port: result.GetValue(port));
            Console.Out.WriteLine($"Kafka: {cluster.BootstrapServers}");
            await stop.WaitAsync();
            return 0;
        });
        return command;
    }

    private static async Task<int> RunServerAsync(ServeSettings settings)
    {
        await using var app = TallyServer.Build(settings);
        await app.StartAsync();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tally");
        HostLog.Listening(logger, settings.Roles, settings.BaseUrl, settings.DataDirectory);
        Console.Out.WriteLine($"Tally is up: {settings.BaseUrl}");
        if (TallyServer.GrpcUrl(app, settings) is { } grpc)
        {
            Console.Out.WriteLine($"gRPC ingest: {grpc} (tally.ingest.v1.IngestService, server reflection on)");
        }

        if (settings.Roles.HasFlag(TallyRoles.Api))
        {
            var token = app.Services.GetRequiredService<AdminToken>();
            if (token.WasGenerated)
            {
                Console.Out.WriteLine($"Admin token (shown once; kept in {Path.Combine(settings.DataDirectory, "admin-token")}): {token.Value}");
            }
        }

        await Console.Out.FlushAsync();
        await app.WaitForShutdownAsync();
        return 0;
    }
}
