using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Tally.Tests.Hosting;
using Tally.Tests.Support;

namespace Tally.Tests.Sdk;

/// <summary>
/// OpenMeter's own JS SDK (<c>@openmeter/sdk</c>, installed into tests/sdk by <c>./tally test</c>),
/// unchanged, against Tally: it creates meters, ingests events including a retried duplicate, queries
/// (GET and POST, grouped, windowed, filtered), lists group-by values, updates, lists and deletes;
/// then features, a plan (draft, publish, get by key, list), a customer, a subscription (create, get,
/// list, cancel, a refused overlap), entitlements (list, access, values v1 and v2) and grants (create, list, void).
/// </summary>
public sealed class OpenMeterSdkTests(TallyServerFixture server) : IClassFixture<TallyServerFixture>
{
    [Fact]
    public async Task Sdk_MeteringCatalogSubscriptionsEntitlementsAndGrants_WorkUnchanged()
    {
        var script = Path.Combine(Repository.Root, "tests", "sdk", "openmeter-sdk.mjs");
        if (!Directory.Exists(Path.Combine(Path.GetDirectoryName(script)!, "node_modules", "@openmeter", "sdk")))
        {
            Assert.Skip("@openmeter/sdk is not installed in tests/sdk: ./tally test installs it with npm ci.");
        }

        var key = await server.CreateTenantAsync("sdk");
        var (exit, output, error) = await NodeAsync(script, key);

        Assert.True(exit == 0, $"node exited {exit}:\n{output}\n{error}");
        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        Assert.Equal(
            """{"catalog":{"features":[["api_calls","prompts"],["sso",null]],"plan":["draft","active",true,1,1,["flat","tiered",null]],"customer":["cust-1",true,["cust-1"],true],"subscription":["active","pro",1,["base","api_calls","sso"],1],"access":{"api_calls":true,"sso":true},"entitlements":[["api_calls","metered"],["sso","boolean"]],"grants":[100,2,2,true],"value":[true,1100,0,0,2],"valueV1":[true,1100,true],"lists":[2,2],"afterVoid":1000,"canceled":["canceled",true],"conflict":{"status":409,"type":"https://tally.dev/problems/conflict"}},"created":["tokens","prompts","latest","SUM",true],"prompts":3,"byModel":[{"value":250,"start":"2026-11-02T00:00:00.000Z","end":"2026-11-03T00:00:00.000Z","subject":null,"groupBy":{"model":"large"}},{"value":150,"start":"2026-11-02T00:00:00.000Z","end":"2026-11-03T00:00:00.000Z","subject":null,"groupBy":{"model":"small"}}],"hourly":[{"value":350,"start":"2026-11-02T00:00:00.000Z","end":"2026-11-02T01:00:00.000Z","subject":"cust-1","groupBy":{}}],"posted":[150],"latest":50,"values":["large","small"],"updated":["LLM tokens","LLM tokens",true],"meters":["latest","prompts","tokens"],"events":[["evt-3","cust-2",true],["evt-2","cust-1",true],["evt-1","cust-1",true]],"deleted":{"status":404,"title":"Not found"}}""",
            JsonSerializer.Serialize(result.RootElement));
        var (status, _) = await server.SendAsync(HttpMethod.Get, "/api/v1/meters/latest", key, null);
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    private async Task<(int Exit, string Output, string Error)> NodeAsync(string script, string key)
    {
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(script)! };
        info.ArgumentList.Add(script);
        info.Environment["TALLY_URL"] = server.Http.BaseAddress!.ToString().TrimEnd('/');
        info.Environment["TALLY_KEY"] = key;
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip("node is not on PATH: the OpenMeter SDK test needs Node.js 20 or later.");
            throw;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await error);
        }
    }
}
