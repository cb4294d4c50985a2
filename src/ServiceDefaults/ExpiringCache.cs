using System.Collections.Concurrent;

namespace Tally.ServiceDefaults;

/// <summary>
/// A small read-through cache for what every request needs and rarely changes (API keys, meters): each
/// entry lives at most <c>ttl</c> (by the injected clock), at most <c>capacity</c> entries are kept (the
/// oldest eighth is dropped when it overflows), concurrent misses of one key share one load, and a failed
/// load is not cached.
/// </summary>
public sealed class ExpiringCache<TKey, TValue>(TimeProvider clock, TimeSpan ttl, int capacity)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();

    public int Count => _entries.Count;

    /// <summary>The cached value, or the result of <paramref name="load"/> (run without the caller's cancellation, since others may share it).</summary>
    public async ValueTask<TValue> GetAsync(TKey key, Func<TKey, Task<TValue>> load, CancellationToken cancellationToken)
    {
        var now = clock.GetTimestamp();
        if (_entries.TryGetValue(key, out var cached) && clock.GetElapsedTime(cached.LoadedAt, now) < ttl)
        {
            if (cached.Value.IsCompletedSuccessfully)
            {
                return cached.Value.Result;
            }

            if (!cached.Value.IsCompleted)
            {
                return await cached.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var entry = new Entry(load(key), now);
        _entries[key] = entry;
        if (_entries.Count > capacity)
        {
            Evict();
        }

        try
        {
            return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (entry.Value.IsFaulted || entry.Value.IsCanceled)
        {
            _entries.TryRemove(KeyValuePair.Create(key, entry));
            throw;
        }
    }

    /// <summary>Forgets <paramref name="key"/>: the next read loads it again.</summary>
    public void Invalidate(TKey key) => _entries.TryRemove(key, out _);

    /// <summary>Forgets every entry.</summary>
    public void Clear() => _entries.Clear();

    private void Evict()
    {
        var excess = _entries.Count - capacity + Math.Max(1, capacity / 8);
        foreach (var (key, entry) in _entries.OrderBy(pair => pair.Value.LoadedAt).Take(excess).ToList())
        {
            _entries.TryRemove(KeyValuePair.Create(key, entry));
        }
    }

    private sealed record Entry(Task<TValue> Value, long LoadedAt);
}
