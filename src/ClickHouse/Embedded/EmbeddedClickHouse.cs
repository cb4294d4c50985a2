using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tally.ClickHouse.Embedded;

/// <summary>
/// Embedded ClickHouse: chDB on a local data directory, served on a loopback port over the subset of
/// ClickHouse's HTTP protocol that ClickHouse.Driver speaks.
/// </summary>
/// <remarks>
/// Decision: Tally never calls chDB directly; all Tally SQL goes through ClickHouse.Driver over HTTP,
/// so the embedded default, several OS processes sharing one embedded engine (they connect to this
/// endpoint), and a real ClickHouse server use one code path. chDB runs one storage path per process.
/// </remarks>
public sealed class EmbeddedClickHouse : IAsyncDisposable, IDisposable
{
    private readonly WebApplication app;
    private readonly ChdbEngine engine;
    private readonly ILogger<EmbeddedClickHouse> logger;
    private int disposed;

    private EmbeddedClickHouse(WebApplication app, ChdbEngine engine, Uri endpoint, string password, ILogger<EmbeddedClickHouse> logger)
    {
        this.app = app;
        this.engine = engine;
        this.logger = logger;
        Endpoint = endpoint;
        // Compression off: on loopback, compressing bodies only costs CPU on both ends.
        ConnectionString = $"Host={endpoint.Host};Port={endpoint.Port};Protocol=http;Username=default;Password={password};Database=default;Compression=false";
    }

    /// <summary>The HTTP endpoint, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>ClickHouse.Driver connection string for this engine (database <c>default</c>).</summary>
    public string ConnectionString { get; }

    internal ChdbEngine Engine => engine;

    /// <summary>Boots chDB on <paramref name="dataDirectory"/> and starts its HTTP endpoint on 127.0.0.1.</summary>
    /// <param name="dataDirectory">Where the engine keeps its data; created if missing.</param>
    /// <param name="libraryPath">libchdb.so; null: <c>TALLY_CHDB_LIB</c>, then the copy <c>eng/fetch-chdb.sh</c> installs.</param>
    /// <param name="port">Loopback port; 0 picks a free one (see <see cref="Endpoint"/>).</param>
    /// <param name="password">Password of the <c>default</c> user that clients must present.</param>
    /// <param name="loggerFactory">Logging for the engine and its endpoint.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<EmbeddedClickHouse> StartAsync(
        string dataDirectory,
        string? libraryPath,
        int port,
        string password,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var logger = loggerFactory.CreateLogger<EmbeddedClickHouse>();
        var engine = ChdbEngine.Open(dataDirectory, libraryPath);
        WebApplication? app = null;
        try
        {
            // The empty builder reads no appsettings/environment: the host's own Kestrel or URL settings
            // must not leak into this private loopback endpoint.
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore();
            builder.Services.AddRoutingCore();
            builder.Services.AddLogging();
            builder.Services.AddSingleton(loggerFactory);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(System.Net.IPAddress.Loopback, port);
                // Inserts can be large; ClickHouse itself imposes no body limit either.
                kestrel.Limits.MaxRequestBodySize = null;
            });
            app = builder.Build();
            new ChdbHttpEndpoint(engine, password, loggerFactory.CreateLogger<ChdbHttpEndpoint>()).Map(app);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);

            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
                .Addresses.Single();
            var endpoint = new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/");
            ClickHouseLog.Started(logger, engine.DataDirectory, endpoint);
            return new EmbeddedClickHouse(app, engine, endpoint, password, logger);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            engine.Dispose();
            throw;
        }
    }

    /// <summary>Stops the endpoint, then closes chDB (which must happen before the process exits).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // HTTP first, so no request reaches a closed engine; chDB last.
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        engine.Dispose();
        ClickHouseLog.Stopped(logger, engine.DataDirectory);
    }

    /// <summary>Synchronous <see cref="DisposeAsync"/> for containers disposed synchronously.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
