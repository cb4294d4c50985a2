namespace Tally.Billing.Payments;

/// <summary>
/// The processor's ids of the objects Tally created there, by Tally's key of each object (e.g.
/// <c>customers/cus_…/invoices/2026-10</c>), per tenant and processor account namespace. An attempt is
/// recorded before the create request leaves, and the id as soon as the answer arrives, so after a
/// crash Tally knows whether an object may exist without its id (look it up in the processor) or
/// certainly does not (create it).
/// </summary>
public interface IPaymentObjectStore
{
    /// <summary>What is known of each of <paramref name="keys"/>; a key never attempted is absent.</summary>
    Task<IReadOnlyDictionary<string, PaymentObjectState>> FindAsync(string tenantId, string account, IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    /// <summary>Records that creating these objects is about to be attempted; keys already recorded keep their state.</summary>
    Task MarkAttemptedAsync(string tenantId, string account, IReadOnlyCollection<string> keys, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Records the processor's id of each key. The first id recorded for a key wins: the returned map
    /// holds the id stored for every given key, which differs from the given one only if another writer
    /// recorded first.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> RecordAsync(string tenantId, string account, IReadOnlyDictionary<string, string> externalIds, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>A recorded attempt: <see cref="ExternalId"/> is null while the outcome is unknown.</summary>
public sealed record PaymentObjectState(string Key, string? ExternalId, DateTimeOffset AttemptedAt);
