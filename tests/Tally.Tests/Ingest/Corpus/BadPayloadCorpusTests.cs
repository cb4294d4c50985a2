using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.EventLog;
using Tally.EventLog.Embedded;
using Tally.Tests.Hosting;

namespace Tally.Tests.Ingest.Corpus;

/// <summary>
/// Every payload of <see cref="BadPayloadCorpus"/> against a whole server: the exact status and problem type
/// (and first field), nothing appended to the event log (the only way into storage and counting), and the
/// server still ready afterwards. The README's "Bad input" table lists the same families.
/// </summary>
public sealed class BadPayloadCorpusTests(TallyServerFixture server) : IClassFixture<TallyServerFixture>
{
    private static readonly SemaphoreSlim Setup = new(1, 1);
    private static string? _key;

    public static TheoryData<string> Names => [.. BadPayloadCorpus.All.Keys];

    [Fact]
    public void Corpus_HasAtLeastTwoHundredPayloads()
    {
        Assert.InRange(BadPayloadCorpus.All.Count, 200, int.MaxValue);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Post_BadPayload_AnswersExactlyAndStoresNothing(string name)
    {
        var payload = BadPayloadCorpus.All[name];
        var key = await TenantKeyAsync();
        var log = (FileEventLog)server.Services.GetRequiredService<IEventLog>();
        var before = log.RecordCount;

        var (status, problem) = await PostAsync(payload, key);

        Assert.True((int)status == payload.Status, $"{name}: expected {payload.Status}, got {(int)status}: {problem}");
        Assert.Equal(payload.ProblemType, problem.GetProperty("type").GetString());
        Assert.Equal(payload.Status, problem.GetProperty("status").GetInt32());
        if (payload.Field is not null)
        {
            Assert.Equal(payload.Field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
        }

        Assert.Equal(before, log.RecordCount);
        var (ready, _) = await server.SendAsync(HttpMethod.Get, "/readyz", TallyServerFixture.AdminToken, null);
        Assert.Equal(HttpStatusCode.OK, ready);
    }

    private async Task<string> TenantKeyAsync()
    {
        await Setup.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_key is null)
            {
                var key = await server.CreateTenantAsync("corpus");
                await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens" });
                _key = key;
            }

            return _key;
        }
        finally
        {
            Setup.Release();
        }
    }

    private async Task<(HttpStatusCode, JsonElement)> PostAsync(BadPayload payload, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new ByteArrayContent(payload.Body) };
        request.Content.Headers.ContentType = payload.ContentType is null ? null : MediaTypeHeaderValue.Parse(payload.ContentType);

        // So a body past the limit is refused before it is sent, not cut off mid-upload.
        request.Headers.ExpectContinue = true;
        request.Headers.Authorization = payload.Caller switch
        {
            Caller.Tenant => new AuthenticationHeaderValue("Bearer", key),
            Caller.UnknownKey => new AuthenticationHeaderValue("Bearer", "tly_not-a-key"),
            Caller.BasicScheme => new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz"),
            Caller.Admin => new AuthenticationHeaderValue("Bearer", TallyServerFixture.AdminToken),
            _ => null,
        };
        using var response = await server.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }
}
