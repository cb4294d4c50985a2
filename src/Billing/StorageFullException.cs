namespace Tally.Billing;

/// <summary>
/// A store refused a write because its disk (or quota) is full. Nothing of the write was kept, and the
/// store serves again as soon as space returns; callers answer 503 with Retry-After.
/// </summary>
public sealed class StorageFullException(string store, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>Which store is full, e.g. <c>event log</c> or <c>ledger</c>.</summary>
    public string Store { get; } = store;
}
