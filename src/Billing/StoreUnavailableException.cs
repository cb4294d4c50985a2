namespace Tally.Billing;

/// <summary>
/// A store Tally depends on (ClickHouse, the ledger, the event log) did not answer. The request did
/// not complete and changed nothing it could not undo; callers answer 503 with Retry-After.
/// </summary>
public sealed class StoreUnavailableException(string store, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>Which store is unavailable, e.g. <c>ClickHouse</c>.</summary>
    public string Store { get; } = store;
}
