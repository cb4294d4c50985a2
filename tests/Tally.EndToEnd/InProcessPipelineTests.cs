using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Tally.Host.Hosting;

namespace Tally.EndToEnd;

/// <summary>The walking skeleton in one process on the embedded defaults: file log, chDB, SQLite, one silo.</summary>
public sealed class InProcessPipelineTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-e2e-").FullName;
    private readonly int _port = FreePorts.Next();
    private WebApplication? _app;

    public async ValueTask InitializeAsync()
    {
        _app = TallyServer.Build(new ServeSettings(TallyRoles.All, _dataDir, _port)
        {
            Configuration = new Dictionary<string, string?> { ["Admin:Token"] = "tadm_e2e-admin", ["Close:GraceMinutes"] = "0" },
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Pipeline_EmbeddedDefaults_CountsBillsAndInvoicesExactly()
    {
        var baseUrl = new Uri($"http://127.0.0.1:{_port}");
        using var api = new PipelineApi(baseUrl, baseUrl);
        var scenario = new PipelineScenario(api, "tadm_e2e-admin", DateTimeOffset.UtcNow);

        var (health, _) = await api.SendAsync(HttpMethod.Get, "/readyz", null);
        Assert.Equal(HttpStatusCode.OK, health);
        await scenario.SetUpAndIngestAsync();
        await Eventually.EqualsAsync(PipelineScenario.ExpectedTotalTokens, scenario.TotalTokensAsync, TimeSpan.FromSeconds(60));
        await scenario.VerifyAsync(period =>
            api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/admin/close-runs", "tadm_e2e-admin", new { period = period.ToString() }));

        var unknown = await api.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Post, "/api/admin/close-runs", "tadm_e2e-admin",
            new { period = scenario.Previous.ToString(), tenantId = "tnt_missing" });
        Assert.Equal("No tenant 'tnt_missing' is visible to this credential; check the id or key.", unknown.GetProperty("detail").GetString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }
}
