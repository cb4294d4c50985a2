using System.ComponentModel.DataAnnotations;
using ClickHouse.Driver.ADO;

namespace Tally.ClickHouse;

/// <summary>Configuration section <c>ClickHouse</c>.</summary>
public sealed class ClickHouseOptions : IValidatableObject
{
    public const string SectionName = "ClickHouse";

    /// <summary>
    /// ClickHouse.Driver connection string of a ClickHouse server (e.g.
    /// <c>Host=ch1;Port=8123;Username=tally;Password=...;Database=tally</c>). Unset: embedded chDB.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Database Tally's tables live in.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "ClickHouse:Database must not be empty.")]
    public string Database { get; set; } = "tally";

    /// <summary>Path of libchdb.so for the embedded engine; defaults to the copy <c>./tally</c> installs.</summary>
    public string? ChdbLibraryPath { get; set; }

    /// <summary>Directory of the embedded engine's data; defaults to <c>{data-dir}/clickhouse</c>.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Loopback port the embedded engine's HTTP endpoint listens on; 0 picks a free one.</summary>
    [Range(0, 65535, ErrorMessage = "ClickHouse:EmbeddedPort must be between 0 and 65535.")]
    public int EmbeddedPort { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ConnectionString is not null && !IsValidConnectionString(ConnectionString))
        {
            // Only the key is named: the string may hold a password.
            yield return new ValidationResult("ClickHouse:ConnectionString is not a valid ClickHouse.Driver connection string.", [nameof(ConnectionString)]);
        }
    }

    private static bool IsValidConnectionString(string connectionString)
    {
        try
        {
            _ = new ClickHouseConnectionStringBuilder(connectionString).ToSettings();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
