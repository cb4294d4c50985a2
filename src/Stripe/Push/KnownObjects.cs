using Tally.Billing.Payments;

namespace Tally.Stripe.Push;

/// <summary>
/// One push's view of what the ledger knows of a document's Stripe objects (read once, up front), and
/// the writes that keep it current: an attempt before each create, the id as soon as Stripe answers.
/// </summary>
internal sealed class KnownObjects(IPaymentObjectStore store, string tenantId, string account, TimeProvider clock)
{
    private readonly Dictionary<string, PaymentObjectState> states = new(StringComparer.Ordinal);

    public async Task LoadAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        foreach (var (key, state) in await store.FindAsync(tenantId, account, keys, cancellationToken))
        {
            states[key] = state;
        }
    }

    /// <summary>The recorded Stripe id, if known.</summary>
    public string? IdOf(string key) => states.TryGetValue(key, out var state) ? state.ExternalId : null;

    /// <summary>A create was attempted but its answer never recorded: the object may exist in Stripe.</summary>
    public bool MayExist(string key) => states.TryGetValue(key, out var state) && state.ExternalId is null;

    /// <summary>Records that creates of <paramref name="keys"/> are about to leave (keys already attempted keep their first time).</summary>
    public async Task AttemptingAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var fresh = keys.Where(key => !states.ContainsKey(key)).ToList();
        var now = clock.GetUtcNow();
        await store.MarkAttemptedAsync(tenantId, account, fresh, now, cancellationToken);
        foreach (var key in fresh)
        {
            states[key] = new PaymentObjectState(key, null, now);
        }
    }

    /// <summary>Records Stripe's ids; returns the one stored for <paramref name="key"/> (an earlier writer's, if any).</summary>
    public async Task<string> RecordAsync(string key, string externalId, CancellationToken cancellationToken) =>
        (await RecordAsync(new Dictionary<string, string> { [key] = externalId }, cancellationToken))[key];

    public async Task<IReadOnlyDictionary<string, string>> RecordAsync(IReadOnlyDictionary<string, string> externalIds, CancellationToken cancellationToken)
    {
        var stored = await store.RecordAsync(tenantId, account, externalIds, clock.GetUtcNow(), cancellationToken);
        foreach (var (key, id) in stored)
        {
            states[key] = new PaymentObjectState(key, id, states.TryGetValue(key, out var state) ? state.AttemptedAt : clock.GetUtcNow());
        }

        return stored;
    }
}
