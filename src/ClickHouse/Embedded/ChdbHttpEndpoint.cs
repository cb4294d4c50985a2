using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using ZstdSharp;

namespace Tally.ClickHouse.Embedded;

/// <summary>
/// Serves an embedded chDB over the part of ClickHouse's HTTP interface that ClickHouse.Driver uses:
/// <c>/ping</c>, and GET/POST <c>/</c> with the <c>query</c> URL argument followed by the request
/// body as SQL, <c>default_format</c>, <c>database</c>, <c>param_*</c>, settings as URL arguments,
/// basic-auth or X-ClickHouse-User/Key credentials and zstd/gzip/deflate request bodies.
/// </summary>
internal sealed class ChdbHttpEndpoint(ChdbEngine engine, string password, ILogger<ChdbHttpEndpoint> logger)
{
    private const string DefaultUser = "default";
    private const int AuthenticationFailed = 516;
    private const int UnsupportedMethod = 1;
    private const int BadArguments = 36;

    // Inserts and long parameter lists may be large; ClickHouse itself imposes no such limits either.
    private static readonly FormOptions LargeForms = new()
    {
        ValueLengthLimit = int.MaxValue,
        MultipartBodyLengthLimit = long.MaxValue,
        MultipartHeadersLengthLimit = 64 * 1024,
    };

    // URL arguments that belong to the HTTP protocol rather than to ClickHouse's settings.
    private static readonly HashSet<string> ProtocolArguments = new(StringComparer.Ordinal)
    {
        "query", "default_format", "database", "user", "password", "query_id", "quota_key",
        "session_id", "session_timeout", "session_check", "compress", "decompress", "buffer_size",
        "wait_end_of_query", "role",
    };

    private readonly byte[] expectedPassword = Encoding.UTF8.GetBytes(password);
    private readonly ChdbSessionState session = new();

    /// <summary>Adds the endpoint's routes to <paramref name="app"/>.</summary>
    public void Map(WebApplication app)
    {
        app.MapGet("/ping", () => Results.Text("Ok.\n"));
        app.MapMethods("/", ["GET", "POST"], HandleAsync);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var queryId = request.Query["query_id"] is { Count: > 0 } id ? id.ToString() : Guid.NewGuid().ToString();
        response.Headers["X-ClickHouse-Query-Id"] = queryId;
        if (!IsAuthenticated(request, out var user))
        {
            ClickHouseLog.AuthenticationFailed(logger, user);
            await WriteErrorAsync(
                response,
                StatusCodes.Status401Unauthorized,
                AuthenticationFailed,
                $"Code: {AuthenticationFailed}. DB::Exception: {user}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)",
                context.RequestAborted).ConfigureAwait(false);
            return;
        }

        string? insertFile = null;
        try
        {
            var parameters = new List<KeyValuePair<string, string>>();
            var settings = new List<KeyValuePair<string, string>>();
            byte[] sql;
            // Only multipart bodies are forms: ClickHouse reads any other body as SQL, whatever its content type
            // (curl sends raw SQL as application/x-www-form-urlencoded).
            if (request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true)
            {
                // Clients send long parameter lists in a multipart body (the driver's UseFormDataParameters),
                // where URLs would grow past what servers accept.
                var form = await request.ReadFormAsync(LargeForms, context.RequestAborted).ConfigureAwait(false);
                sql = JoinSql(request.Query["query"].ToString(), form["query"].ToString());
                AddParameters(form.Select(pair => KeyValuePair.Create(pair.Key, pair.Value.ToString())), parameters);
            }
            else if (request.Query["query"] is { Count: > 0 } inUrl
                && await ChdbInsertFile.SpoolAsync(inUrl.ToString(), () => DecodedBody(request), Path.Combine(engine.DataDirectory, "tally-inserts"), context.RequestAborted).ConfigureAwait(false) is { } spooled)
            {
                (sql, insertFile) = spooled;
            }
            else
            {
                sql = await ReadSqlAsync(request, context.RequestAborted).ConfigureAwait(false);
            }

            AddParameters(request.Query.Select(pair => KeyValuePair.Create(pair.Key, pair.Value.ToString())), parameters);
            foreach (var (key, value) in request.Query)
            {
                if (!key.StartsWith("param_", StringComparison.Ordinal) && !ProtocolArguments.Contains(key))
                {
                    settings.Add(new(key, value.ToString()));
                }
            }

            var format = request.Query["default_format"] is { Count: > 0 } f ? f.ToString() : "TabSeparated";
            var database = request.Query["database"] is { Count: > 0 } d ? d.ToString() : "default";

            var output = await engine.ExclusiveAsync(
                e => session.Run(e, database, settings, sql, format, parameters, logger),
                context.RequestAborted).ConfigureAwait(false);
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/octet-stream";
            response.Headers["X-ClickHouse-Format"] = format;
            response.Headers["X-ClickHouse-Timezone"] = session.ServerTimezone;
            response.ContentLength = output.Length;
            await response.Body.WriteAsync(output, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ClickHouseQueryException ex)
        {
            ClickHouseLog.QueryFailed(logger, ex.Code, queryId, ex.Message);
            await WriteErrorAsync(response, StatusCodes.Status500InternalServerError, ex.Code, ex.Message, context.RequestAborted)
                .ConfigureAwait(false);
        }
        finally
        {
            if (insertFile is not null)
            {
                File.Delete(insertFile);
            }
        }
    }

    private static Stream DecodedBody(HttpRequest request) => Decode(request.Body, request.Headers.ContentEncoding);

    private static void AddParameters(IEnumerable<KeyValuePair<string, string>> fields, List<KeyValuePair<string, string>> parameters)
    {
        foreach (var (key, value) in fields)
        {
            if (!key.StartsWith("param_", StringComparison.Ordinal))
            {
                continue;
            }

            // chDB takes parameter values as C strings: a NUL would silently cut the value, so refuse it.
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ClickHouseQueryException(
                    BadArguments, $"Code: {BadArguments}. DB::Exception: Query parameter '{key}' contains a NUL character, which the embedded engine cannot pass. (BAD_ARGUMENTS)");
            }

            parameters.Add(new(key["param_".Length..], value));
        }
    }

    private static byte[] JoinSql(string inUrl, string inBody) =>
        Encoding.UTF8.GetBytes(inUrl.Length > 0 && inBody.Length > 0 ? inUrl + "\n" + inBody : inUrl + inBody);

    private bool IsAuthenticated(HttpRequest request, out string user)
    {
        user = DefaultUser;
        string? given = null;
        if (request.Headers.Authorization is { Count: > 0 } authorization
            && authorization.ToString() is { } header
            && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            }
            catch (FormatException)
            {
                return false;
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            user = colon < 0 ? decoded : decoded[..colon];
            given = colon < 0 ? string.Empty : decoded[(colon + 1)..];
        }
        else if (request.Headers["X-ClickHouse-User"] is { Count: > 0 } headerUser)
        {
            user = headerUser.ToString();
            given = request.Headers["X-ClickHouse-Key"].ToString();
        }
        else if (request.Query["user"] is { Count: > 0 } queryUser)
        {
            user = queryUser.ToString();
            given = request.Query["password"].ToString();
        }

        // An embedded engine has exactly one user; comparing in fixed time keeps the password unguessable by timing.
        return user == DefaultUser
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given ?? string.Empty), expectedPassword);
    }

    private static async Task<byte[]> ReadSqlAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        if (request.Query["query"] is { Count: > 0 } inUrl)
        {
            var bytes = Encoding.UTF8.GetBytes(inUrl.ToString());
            buffer.Write(bytes);
        }

        await using var body = Decode(request.Body, request.Headers.ContentEncoding);
        var before = buffer.Length;
        if (before > 0)
        {
            // ClickHouse separates the URL part from the body part by a newline, which matters for
            // "INSERT ... FORMAT JSONEachRow" in the URL with the rows in the body.
            buffer.WriteByte((byte)'\n');
        }

        await body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (buffer.Length == before + 1)
        {
            buffer.SetLength(before);
        }

        return buffer.ToArray();
    }

    private static Stream Decode(Stream body, StringValues contentEncoding) =>
        contentEncoding.ToString().Trim().ToLowerInvariant() switch
        {
            "" or "identity" => body,
            "zstd" => new DecompressionStream(body, leaveOpen: true),
            "gzip" => new GZipStream(body, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new ZLibStream(body, CompressionMode.Decompress, leaveOpen: true),
            "br" => new BrotliStream(body, CompressionMode.Decompress, leaveOpen: true),
            var other => throw new ClickHouseQueryException(
                UnsupportedMethod,
                $"Code: {UnsupportedMethod}. DB::Exception: Unsupported Content-Encoding '{other}'. (UNSUPPORTED_METHOD)"),
        };

    private static async Task WriteErrorAsync(
        HttpResponse response,
        int status,
        int code,
        string message,
        CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=UTF-8";
        response.Headers["X-ClickHouse-Exception-Code"] = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await response.WriteAsync(message + "\n", cancellationToken).ConfigureAwait(false);
    }
}
