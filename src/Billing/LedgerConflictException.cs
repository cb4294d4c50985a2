namespace Tally.Billing;

/// <summary>Raised when a write would break a uniqueness rule; <see cref="Field"/> names the field at fault.</summary>
public sealed class LedgerConflictException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
