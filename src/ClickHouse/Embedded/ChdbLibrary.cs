using System.Runtime.InteropServices;

namespace Tally.ClickHouse.Embedded;

/// <summary>
/// The chDB C API (chdb.h) bound by function pointers, so the library path is chosen at run time
/// (options, <c>TALLY_CHDB_LIB</c>, or the copy <c>eng/fetch-chdb.sh</c> installs).
/// </summary>
internal sealed unsafe class ChdbLibrary
{
    /// <summary>The chDB npm package version Tally is built and tested against.</summary>
    public const string Version = "26.5.3";

    private static readonly Lock LoadLock = new();
    private static readonly Dictionary<string, ChdbLibrary> Loaded = new(StringComparer.Ordinal);

    private ChdbLibrary(string path, IntPtr handle)
    {
        Path = path;
        Connect = (delegate* unmanaged<int, byte**, IntPtr*>)NativeLibrary.GetExport(handle, "chdb_connect");
        CloseConnection = (delegate* unmanaged<IntPtr*, void>)NativeLibrary.GetExport(handle, "chdb_close_conn");
        QueryN = (delegate* unmanaged<IntPtr, byte*, nuint, byte*, nuint, IntPtr>)NativeLibrary.GetExport(handle, "chdb_query_n");
        QueryWithParams = (delegate* unmanaged<IntPtr, byte*, byte*, byte**, byte**, nuint, IntPtr>)
            NativeLibrary.GetExport(handle, "chdb_query_with_params");
        ResultBuffer = (delegate* unmanaged<IntPtr, byte*>)NativeLibrary.GetExport(handle, "chdb_result_buffer");
        ResultLength = (delegate* unmanaged<IntPtr, nuint>)NativeLibrary.GetExport(handle, "chdb_result_length");
        ResultError = (delegate* unmanaged<IntPtr, byte*>)NativeLibrary.GetExport(handle, "chdb_result_error");
        DestroyResult = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(handle, "chdb_destroy_query_result");
    }

    public string Path { get; }

    public delegate* unmanaged<int, byte**, IntPtr*> Connect { get; }

    public delegate* unmanaged<IntPtr*, void> CloseConnection { get; }

    public delegate* unmanaged<IntPtr, byte*, nuint, byte*, nuint, IntPtr> QueryN { get; }

    public delegate* unmanaged<IntPtr, byte*, byte*, byte**, byte**, nuint, IntPtr> QueryWithParams { get; }

    public delegate* unmanaged<IntPtr, byte*> ResultBuffer { get; }

    public delegate* unmanaged<IntPtr, nuint> ResultLength { get; }

    public delegate* unmanaged<IntPtr, byte*> ResultError { get; }

    public delegate* unmanaged<IntPtr, void> DestroyResult { get; }

    /// <summary>Where libchdb.so is looked for when nothing is configured.</summary>
    public static string DefaultPath()
    {
        var cache = Environment.GetEnvironmentVariable("TALLY_CACHE_DIR");
        if (string.IsNullOrEmpty(cache))
        {
            cache = System.IO.Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "tally");
        }

        return System.IO.Path.Combine(cache, "chdb", Version, "libchdb.so");
    }

    /// <summary>Resolves the library path: explicit option, then <c>TALLY_CHDB_LIB</c>, then the cache.</summary>
    public static string ResolvePath(string? configuredPath)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            return configuredPath;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable("TALLY_CHDB_LIB");
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultPath() : fromEnvironment;
    }

    /// <summary>Loads (once per path and process) the library and binds the C API.</summary>
    public static ChdbLibrary Load(string? configuredPath)
    {
        var path = System.IO.Path.GetFullPath(ResolvePath(configuredPath));
        lock (LoadLock)
        {
            if (Loaded.TryGetValue(path, out var existing))
            {
                return existing;
            }

            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"chDB library not found at '{path}'. Run ./tally (it installs it) or eng/fetch-chdb.sh, " +
                    "or set ClickHouse:ChdbLibraryPath / TALLY_CHDB_LIB to an existing libchdb.so.",
                    path);
            }

            var library = new ChdbLibrary(path, NativeLibrary.Load(path));
            Loaded[path] = library;
            return library;
        }
    }
}
