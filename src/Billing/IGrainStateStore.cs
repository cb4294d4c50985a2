namespace Tally.Billing;

/// <summary>
/// Opaque state records with an etag, for the rating grains' storage provider on the embedded ledger
/// (what cannot be derived from the usage store: notifications already sent).
/// </summary>
public interface IGrainStateStore
{
    /// <summary>The state and its etag, or null when none was written.</summary>
    Task<(string State, string ETag)?> ReadAsync(string grainType, string grainId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the state if the stored etag is still <paramref name="expectedETag"/> (null: nothing stored
    /// yet) and returns the new etag; null when another writer got there first.
    /// </summary>
    Task<string?> WriteAsync(string grainType, string grainId, string state, string? expectedETag, DateTimeOffset at, CancellationToken cancellationToken);

    Task ClearAsync(string grainType, string grainId, CancellationToken cancellationToken);
}
