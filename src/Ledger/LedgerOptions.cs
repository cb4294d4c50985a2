using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace Tally.Ledger;

/// <summary>Configuration section <c>Ledger</c>; start-up fails with a message naming the key that is wrong.</summary>
public sealed class LedgerOptions : IValidatableObject
{
    public const string SectionName = "Ledger";

    /// <summary>PostgreSQL connection string (Npgsql). Unset: an embedded SQLite file.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Path of the embedded SQLite ledger; defaults to <c>{data-dir}/ledger.db</c>.</summary>
    public string? SqlitePath { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString) && ConnectionStringProblem(ConnectionString) is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(ConnectionString)]);
        }

        if (SqlitePath is { } path && (string.IsNullOrWhiteSpace(path) || path.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
        {
            yield return new ValidationResult("Ledger:SqlitePath must be a file path.", [nameof(SqlitePath)]);
        }
    }

    private static string? ConnectionStringProblem(string connectionString)
    {
        try
        {
            return string.IsNullOrWhiteSpace(new NpgsqlConnectionStringBuilder(connectionString).Host)
                ? "Ledger:ConnectionString must name a Host (e.g. Host=127.0.0.1;Database=tally;Username=tally)."
                : null;
        }
        catch (ArgumentException exception)
        {
            // The message of a parse failure may echo the string; only its reason is reported, so a password never reaches a log.
            return $"Ledger:ConnectionString is not a valid Npgsql connection string: {exception.GetType().Name}.";
        }
    }
}
