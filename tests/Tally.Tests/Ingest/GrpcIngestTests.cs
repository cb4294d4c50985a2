using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Tally.EndToEnd;
using Tally.Tests.Hosting;
using Tally.Tests.Support;

namespace Tally.Tests.Ingest;

/// <summary>
/// The gRPC ingest service driven by an independent client: Python's grpcio (C-core, Debian's
/// python3-grpcio, which <c>./tally test</c> installs) with no generated code. It discovers the service by
/// server reflection, ingests by the unary and the client-streaming call, and reads the rich status of
/// refusals; the events are then counted exactly once, like HTTP's.
/// </summary>
public sealed class GrpcIngestTests(TallyServerFixture server) : IClassFixture<TallyServerFixture>
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task PythonGrpcio_ReflectionUnaryStreamAndRefusals_BehaveLikeHttpAndCountExactly()
    {
        var (probe, _, probeError) = await RunAsync("-c", "import grpc, google.protobuf");
        if (probe != 0)
        {
            Assert.Skip($"Python grpcio is not installed for {Python} (apt-get install python3-grpcio python3-protobuf; ./tally test does it): {probeError.Trim()}");
        }

        var key = await server.CreateTenantAsync("grpc");
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens" });
        var script = Path.Combine(Repository.Root, "tests", "grpc", "ingest_client.py");

        var (exit, output, error) = await RunAsync(script, $"{server.GrpcUrl.Host}:{server.GrpcUrl.Port}", key, "run1");

        Assert.True(exit == 0, $"python exited {exit}:\n{output}\n{error}");
        Assert.Equal(
            """{"anonymous": "UNAUTHENTICATED", "invalid": ["INVALID_ARGUMENT", [["[1].subject", "is required (the customer or subject the usage belongs to); add a non-empty string."]]], "invalidStream": ["INVALID_ARGUMENT", [["messages[1][0].subject", "is empty (the customer or subject the usage belongs to); send a non-empty string."]]], "methods": ["IngestBatch", "IngestStream"], "services": ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "tally.ingest.v1.IngestService"], "stream": 4, "unary": 3}""",
            output.Trim().Split('\n')[^1]);

        // 3 (unary) + 4 (stream) + 1 (the first message of the refused stream, stored before its second) events of 5 tokens.
        await Eventually.EqualsAsync(40m, () => SumAsync(key), TimeSpan.FromSeconds(60));
    }

    private async Task<decimal> SumAsync(string key)
    {
        var result = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/tokens/query", key);
        return result.GetProperty("data").EnumerateArray().Sum(row => row.GetProperty("value").GetDecimal());
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await error);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, "", ex.Message);
        }
    }
}
