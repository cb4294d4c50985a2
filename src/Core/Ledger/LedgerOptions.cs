namespace Tally.Core.Ledger;

/// <summary>Configuration section <c>Ledger</c>.</summary>
public sealed class LedgerOptions
{
    public const string SectionName = "Ledger";

    /// <summary>PostgreSQL connection string (Npgsql). Unset: an embedded SQLite file.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Path of the embedded SQLite ledger; defaults to <c>{data-dir}/ledger.db</c>.</summary>
    public string? SqlitePath { get; set; }
}
