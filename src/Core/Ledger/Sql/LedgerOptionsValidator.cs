using Microsoft.Extensions.Options;
using Npgsql;

namespace Tally.Core.Ledger.Sql;

/// <summary>Fails start-up with a message naming the <c>Ledger:*</c> key that is wrong.</summary>
internal sealed class LedgerOptionsValidator : IValidateOptions<LedgerOptions>
{
    public ValidateOptionsResult Validate(string? name, LedgerOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
                if (string.IsNullOrWhiteSpace(builder.Host))
                {
                    return ValidateOptionsResult.Fail("Ledger:ConnectionString must name a Host (e.g. Host=127.0.0.1;Database=tally;Username=tally).");
                }
            }
            catch (ArgumentException exception)
            {
                // The message of a parse failure may echo the string; only its reason is reported, so a password never reaches a log.
                return ValidateOptionsResult.Fail($"Ledger:ConnectionString is not a valid Npgsql connection string: {exception.GetType().Name}.");
            }
        }

        if (options.SqlitePath is { } path && (string.IsNullOrWhiteSpace(path) || path.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
        {
            return ValidateOptionsResult.Fail("Ledger:SqlitePath must be a file path.");
        }

        return ValidateOptionsResult.Success;
    }
}
