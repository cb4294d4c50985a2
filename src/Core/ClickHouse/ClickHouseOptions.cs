namespace Tally.Core.ClickHouse;

/// <summary>Configuration section <c>ClickHouse</c>.</summary>
public sealed class ClickHouseOptions
{
    public const string SectionName = "ClickHouse";

    /// <summary>
    /// ClickHouse.Driver connection string of a ClickHouse server (e.g.
    /// <c>Host=ch1;Port=8123;Username=tally;Password=...;Database=tally</c>). Unset: embedded chDB.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Database Tally's tables live in.</summary>
    public string Database { get; set; } = "tally";

    /// <summary>Path of libchdb.so for the embedded engine; defaults to the copy <c>./tally</c> installs.</summary>
    public string? ChdbLibraryPath { get; set; }

    /// <summary>Directory of the embedded engine's data; defaults to <c>{data-dir}/clickhouse</c>.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Loopback port the embedded engine's HTTP endpoint listens on; 0 picks a free one.</summary>
    public int EmbeddedPort { get; set; }
}
