using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xunit;

namespace Tally.Tests.ClickHouse;

/// <summary>The embedded engine's HTTP shim, spoken to directly (what ClickHouse.Driver relies on).</summary>
[Collection(ChdbCollection.Name)]
public sealed class ChdbHttpEndpointTests(EmbeddedClickHouseFixture fixture) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = fixture.Endpoint };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ping_Get_ReturnsOk()
    {
        var body = await http.GetStringAsync("ping", Ct);

        Assert.Equal("Ok.\n", body);
    }

    [Theory]
    [InlineData("zstd")]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task Post_CompressedBody_RunsDecodedSql(string encoding)
    {
        using var request = Authorized(HttpMethod.Post, "?default_format=TabSeparated", EmbeddedClickHouseFixture.Password);
        request.Content = new ByteArrayContent(Compress(Encoding.UTF8.GetBytes("SELECT 40 + 2"), encoding));
        request.Content.Headers.ContentEncoding.Add(encoding);

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("42\n", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Post_QueryArgumentAndBody_AreJoinedByNewline()
    {
        using var request = Authorized(HttpMethod.Post, "?query=" + Uri.EscapeDataString("SELECT * FROM format(JSONEachRow, 'x UInt8',"), EmbeddedClickHouseFixture.Password);
        request.Content = new StringContent("$$\n{\"x\":7}\n$$)");

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal("7\n", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Post_ClickHouseUserAndKeyHeaders_Authenticate()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "?database=system&default_format=TabSeparated&enable_http_compression=1&no_such_setting_anywhere=1")
        {
            Content = new StringContent("SELECT currentDatabase()"),
        };
        request.Headers.Add("X-ClickHouse-User", "default");
        request.Headers.Add("X-ClickHouse-Key", EmbeddedClickHouseFixture.Password);

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("system\n", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Post_WrongPassword_Returns401WithCode516()
    {
        using var request = Authorized(HttpMethod.Post, string.Empty, "guess");
        request.Content = new StringContent("SELECT 1");

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(["516"], response.Headers.GetValues("X-ClickHouse-Exception-Code"));
    }

    [Fact]
    public async Task Post_InvalidSql_Returns500WithClickHouseCodeAndMessage()
    {
        using var request = Authorized(HttpMethod.Post, string.Empty, EmbeddedClickHouseFixture.Password);
        request.Content = new StringContent("SELECT FROM WHERE");

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(["62"], response.Headers.GetValues("X-ClickHouse-Exception-Code"));
        Assert.StartsWith("Code: 62. DB::Exception:", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ParameterWithNul_Returns500WithBadArgumentsInsteadOfCuttingTheValue()
    {
        using var request = Authorized(HttpMethod.Post, "?param_v=" + Uri.EscapeDataString("ab\0cd"), EmbeddedClickHouseFixture.Password);
        request.Content = new StringContent("SELECT {v:String}");

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(["36"], response.Headers.GetValues("X-ClickHouse-Exception-Code"));
    }

    [Fact]
    public async Task Post_MultipartFormWithQueryAndParameters_RunsTheQuery()
    {
        using var request = Authorized(HttpMethod.Post, "?default_format=TabSeparated", EmbeddedClickHouseFixture.Password);
        request.Content = new MultipartFormDataContent
        {
            { new StringContent("SELECT concat({a:String}, '-', toString({b:UInt32}))"), "query" },
            { new StringContent("left"), "param_a" },
            { new StringContent("42"), "param_b" },
        };

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal("left-42\n", await response.Content.ReadAsStringAsync(Ct));
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string uri, string password)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("default:" + password)));
        return request;
    }

    private static byte[] Compress(byte[] data, string encoding)
    {
        if (encoding == "zstd")
        {
            using var zstd = new ZstdSharp.Compressor();
            return zstd.Wrap(data).ToArray();
        }

        using var output = new MemoryStream();
        using (Stream compressor = encoding == "gzip"
            ? new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)
            : new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            compressor.Write(data);
        }

        return output.ToArray();
    }

    public void Dispose() => http.Dispose();
}
