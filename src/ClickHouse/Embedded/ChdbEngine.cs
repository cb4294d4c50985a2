using System.Runtime.InteropServices;
using System.Text;

namespace Tally.ClickHouse.Embedded;

/// <summary>
/// One embedded ClickHouse (chDB) connection on a data directory. chDB keeps one engine per process
/// and its connection is not safe for concurrent use, so every call is serialized here.
/// </summary>
internal sealed class ChdbEngine : IDisposable
{
    private static readonly Lock ProcessLock = new();
    private static string? processStoragePath;

    private readonly ChdbLibrary library;
    private readonly SemaphoreSlim gate = new(1, 1);
    // The chdb_connection* chdb_connect returned; queries take the handle it points to.
    private IntPtr connection;

    private ChdbEngine(ChdbLibrary library, IntPtr connection, string dataDirectory)
    {
        this.library = library;
        this.connection = connection;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    /// <summary>Boots chDB on <paramref name="dataDirectory"/> (created if missing).</summary>
    public static unsafe ChdbEngine Open(string dataDirectory, string? libraryPath)
    {
        var library = ChdbLibrary.Load(libraryPath);
        var path = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(path);

        lock (ProcessLock)
        {
            // chDB's storage is process-global: a second path in the same process would silently share
            // (or corrupt) the first engine's state, so refuse it loudly.
            if (processStoragePath is not null && processStoragePath != path)
            {
                throw new InvalidOperationException(
                    $"chDB already runs on '{processStoragePath}' in this process; it cannot also open '{path}'.");
            }

            var args = new[] { "clickhouse", $"--path={path}" };
            var pointers = args.Select(a => Marshal.StringToCoTaskMemUTF8(a)).ToArray();
            try
            {
                fixed (IntPtr* argv = pointers)
                {
                    var conn = library.Connect(args.Length, (byte**)argv);
                    if (conn is null || *conn == IntPtr.Zero)
                    {
                        throw new InvalidOperationException($"chDB failed to open '{path}' with '{library.Path}'.");
                    }

                    processStoragePath = path;
                    return new ChdbEngine(library, (IntPtr)conn, path);
                }
            }
            finally
            {
                foreach (var p in pointers)
                {
                    Marshal.FreeCoTaskMem(p);
                }
            }
        }
    }

    /// <summary>Runs one statement and returns chDB's output in <paramref name="format"/>.</summary>
    /// <exception cref="ClickHouseQueryException">ClickHouse rejected the statement.</exception>
    public byte[] Query(string sql, string format, IReadOnlyList<KeyValuePair<string, string>>? parameters = null)
    {
        gate.Wait();
        try
        {
            return QueryUnderLock(Encoding.UTF8.GetBytes(sql), format, parameters);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> with the engine to itself: statements it issues through
    /// <see cref="QueryUnderLock"/> see no other caller's statements in between (e.g. <c>USE db</c>).
    /// </summary>
    public async Task<T> ExclusiveAsync<T>(Func<ChdbEngine, T> action, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return action(this);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Runs one statement; only call it inside <see cref="ExclusiveAsync{T}"/>.</summary>
    /// <remarks>The SQL stays bytes so inline insert data is passed through unchanged.</remarks>
    public unsafe byte[] QueryUnderLock(
        ReadOnlySpan<byte> sql,
        string format,
        IReadOnlyList<KeyValuePair<string, string>>? parameters)
    {
        ObjectDisposedException.ThrowIf(connection == IntPtr.Zero, this);
        var result = parameters is { Count: > 0 }
            ? RunWithParameters(sql, format, parameters)
            : RunPlain(sql, format);
        try
        {
            var error = library.ResultError(result);
            if (error is not null)
            {
                var message = Marshal.PtrToStringUTF8((IntPtr)error) ?? "unknown chDB error";
                throw new ClickHouseQueryException(ClickHouseQueryException.ParseCode(message), message.TrimEnd());
            }

            var buffer = library.ResultBuffer(result);
            var length = checked((int)library.ResultLength(result));
            return buffer is null || length == 0 ? [] : new ReadOnlySpan<byte>(buffer, length).ToArray();
        }
        finally
        {
            library.DestroyResult(result);
        }
    }

    private unsafe IntPtr RunPlain(ReadOnlySpan<byte> sql, string format)
    {
        var formatBytes = Encoding.UTF8.GetBytes(format);
        fixed (byte* s = sql)
        fixed (byte* f = formatBytes)
        {
            return library.QueryN(*(IntPtr*)connection, s, (nuint)sql.Length, f, (nuint)formatBytes.Length);
        }
    }

    private unsafe IntPtr RunWithParameters(
        ReadOnlySpan<byte> sql,
        string format,
        IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        // chdb_query_with_params takes NUL-terminated strings and binds {name:Type} server-side, scoped
        // to this call, so values never become SQL text and never leak into later queries.
        var owned = new List<IntPtr>(2 + (parameters.Count * 2));
        try
        {
            var s = (byte*)Marshal.AllocCoTaskMem(sql.Length + 1);
            owned.Add((IntPtr)s);
            sql.CopyTo(new Span<byte>(s, sql.Length));
            s[sql.Length] = 0;
            var f = Utf8(format, owned);
            var names = stackalloc byte*[parameters.Count];
            var values = stackalloc byte*[parameters.Count];
            for (var i = 0; i < parameters.Count; i++)
            {
                names[i] = Utf8(parameters[i].Key, owned);
                values[i] = Utf8(parameters[i].Value, owned);
            }

            return library.QueryWithParams(*(IntPtr*)connection, s, f, names, values, (nuint)parameters.Count);
        }
        finally
        {
            foreach (var p in owned)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    private static unsafe byte* Utf8(string value, List<IntPtr> owned)
    {
        var p = Marshal.StringToCoTaskMemUTF8(value);
        owned.Add(p);
        return (byte*)p;
    }

    /// <summary>Closes the chDB connection (exactly once), after any running query finished.</summary>
    public unsafe void Dispose()
    {
        gate.Wait();
        try
        {
            if (connection == IntPtr.Zero)
            {
                return;
            }

            library.CloseConnection((IntPtr*)connection);
            connection = IntPtr.Zero;
        }
        finally
        {
            gate.Release();
        }
    }
}
