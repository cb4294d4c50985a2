using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RocksDbSharp;
using Tally.Billing.Events;

namespace Tally.EventIdentities;

/// <summary>
/// The event identity index in one RocksDB database per process (layout in <see cref="IdentityKeys"/>,
/// memory bounds in <see cref="IdentityStoreSettings"/>). Lookups are batched MultiGets behind full
/// bloom filters, so the common case, an identity never seen, costs no disk read. Each add is one
/// fsync'd write batch holding the new identities, the partition's new exact count and its new
/// complete-through position; adds to one partition are serialized so counts never race.
/// </summary>
/// <remarks>
/// Calls run synchronously on the caller's thread and return completed tasks: RocksDB has no
/// asynchronous API, the caller is the aggregator's own loop rather than a request thread, and a hop
/// to the thread pool would only add a context switch to each batch.
/// </remarks>
public sealed class RocksDbEventIdentityIndex : IEventIdentityIndex, IDisposable
{
    private readonly RocksDb _db;
    private readonly IntPtr _columnFamily;

    // RocksDB refers to the options, the table factory and the cache in place: they live as long as the database.
    private readonly DbOptions _options;
    private readonly Cache _blockCache;
    private readonly ReadOptions _reads = new();
    private readonly WriteOptions _durableWrites = new WriteOptions().SetSync(true);
    private readonly ConcurrentDictionary<int, Lock> _partitionWriters = new();

    // Held shared by every call and exclusively by Dispose, so no call ever reaches a closed native handle.
    private readonly ReaderWriterLockSlim _open = new();
    private readonly ILogger _logger;
    private bool _disposed;

    private RocksDbEventIdentityIndex(string directory, RocksDb db, DbOptions options, Cache blockCache, ILogger logger)
    {
        Directory = directory;
        _db = db;
        _options = options;
        _blockCache = blockCache;
        _logger = logger;
        _columnFamily = Native.Instance.rocksdb_get_default_column_family_handle(db.Handle);
    }

    /// <summary>The full path of the database directory.</summary>
    public string Directory { get; }

    /// <summary>Opens (or creates) the index in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidOperationException">Another process, or another instance in this one, has the directory open.</exception>
    public static RocksDbEventIdentityIndex Open(string directory, int blockCacheMegabytes = 64, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCacheMegabytes, 1);
        logger ??= NullLogger.Instance;
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        var (options, blockCache) = IdentityStoreSettings.Create(blockCacheMegabytes);
        RocksDb db;
        try
        {
            db = RocksDb.Open(options, directory);
        }
        catch (RocksDbException exception) when (exception.Message.Contains("LOCK", StringComparison.Ordinal))
        {
            // RocksDB locks DIRECTORY/LOCK with fcntl and also refuses a second open within the process.
            throw new InvalidOperationException(
                $"EventIdentities:Directory '{directory}' is in use by another process (or another index in this process); " +
                "each process needs its own event identity directory.",
                exception);
        }

        var index = new RocksDbEventIdentityIndex(directory, db, options, blockCache, logger);
        try
        {
            var (identities, partitions) = index.Totals();
            EventIdentitiesLog.Opened(logger, directory, identities, partitions);
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<UInt128, ulong>> FindAsync(int partition, IReadOnlyCollection<UInt128> identities, CancellationToken cancellationToken)
    {
        IdentityKeys.ThrowIfInvalidPartition(partition);
        ArgumentNullException.ThrowIfNull(identities);
        cancellationToken.ThrowIfCancellationRequested();
        if (identities.Count == 0)
        {
            return new(ReadOnlyDictionary<UInt128, ulong>.Empty);
        }

        var sorted = SortedDistinct(identities);
        bool[] found;
        ulong[] payloads;
        EnterOpen();
        try
        {
            (found, payloads) = Lookup(partition, sorted);
        }
        finally
        {
            _open.ExitReadLock();
        }

        var result = new Dictionary<UInt128, ulong>();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (found[i])
            {
                result.Add(sorted[i], payloads[i]);
            }
        }

        return new(result);
    }

    /// <inheritdoc />
    /// <remarks>An identity listed twice in one call is recorded once, with its first payload digest.</remarks>
    public ValueTask AddAsync(int partition, IReadOnlyList<KeyValuePair<UInt128, ulong>> identities, long completeThrough, CancellationToken cancellationToken)
    {
        IdentityKeys.ThrowIfInvalidPartition(partition);
        ArgumentNullException.ThrowIfNull(identities);
        ArgumentOutOfRangeException.ThrowIfNegative(completeThrough);
        cancellationToken.ThrowIfCancellationRequested();
        var payloadOf = new Dictionary<UInt128, ulong>(identities.Count);
        foreach (var (identity, payload) in identities)
        {
            payloadOf.TryAdd(identity, payload);
        }

        var sorted = payloadOf.Keys.ToArray();
        Array.Sort(sorted);

        // The partition lock comes before the open lock: a writer queued in Dispose blocks new readers,
        // so taking them the other way round could leave a reader waiting on an add that waits on Dispose.
        lock (_partitionWriters.GetOrAdd(partition, static _ => new Lock()))
        {
            EnterOpen();
            try
            {
                var (found, _) = Lookup(partition, sorted);
                using var batch = new WriteBatch();
                Span<byte> key = stackalloc byte[IdentityKeys.IdentityKeyLength];
                Span<byte> value = stackalloc byte[IdentityKeys.ValueLength];
                var added = 0L;
                for (var i = 0; i < sorted.Length; i++)
                {
                    if (!found[i])
                    {
                        IdentityKeys.WriteIdentity(key, partition, sorted[i]);
                        BinaryPrimitives.WriteUInt64BigEndian(value, payloadOf[sorted[i]]);
                        batch.Put(key, value);
                        added++;
                    }
                }

                var count = ReadMetadata(partition, IdentityKeys.CountTag) + added;
                batch.Put(IdentityKeys.Metadata(partition, IdentityKeys.CountTag), IdentityKeys.Value((ulong)count));
                batch.Put(IdentityKeys.Metadata(partition, IdentityKeys.CompleteThroughTag), IdentityKeys.Value((ulong)completeThrough));
                _db.Write(batch, _durableWrites);
            }
            finally
            {
                _open.ExitReadLock();
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<long> CompleteThroughAsync(int partition, CancellationToken cancellationToken) =>
        new(ReadMetadataOpen(partition, IdentityKeys.CompleteThroughTag, cancellationToken));

    /// <inheritdoc />
    public ValueTask<long> CountAsync(int partition, CancellationToken cancellationToken) =>
        new(ReadMetadataOpen(partition, IdentityKeys.CountTag, cancellationToken));

    /// <summary>Closes the database; calls after this throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _open.EnterWriteLock();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Native.Instance.rocksdb_column_family_handle_destroy(_columnFamily);
            _db.Dispose();
            GC.KeepAlive(_options);
            GC.KeepAlive(_blockCache);
        }
        finally
        {
            _open.ExitWriteLock();
        }

        EventIdentitiesLog.Closed(_logger, Directory);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private (bool[] Found, ulong[] Payloads) Lookup(int partition, UInt128[] sorted)
    {
        var found = new bool[sorted.Length];
        var payloads = new ulong[sorted.Length];
        if (sorted.Length == 0)
        {
            return (found, payloads);
        }

        var keys = new byte[sorted.Length * IdentityKeys.IdentityKeyLength];
        for (var i = 0; i < sorted.Length; i++)
        {
            IdentityKeys.WriteIdentity(keys.AsSpan(i * IdentityKeys.IdentityKeyLength), partition, sorted[i]);
        }

        BatchedPointReads.Read(_db.Handle, _columnFamily, _reads.Handle, keys, IdentityKeys.IdentityKeyLength, sorted.Length, found, payloads);
        return (found, payloads);
    }

    /// <summary>Sorted (the order MultiGet reads in) and without repeats, deduplicated by the sort rather than a hash set.</summary>
    private static UInt128[] SortedDistinct(IReadOnlyCollection<UInt128> identities)
    {
        var sorted = identities.ToArray();
        if (sorted.Length == 0)
        {
            return sorted;
        }

        Array.Sort(sorted);
        var distinct = 1;
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] != sorted[distinct - 1])
            {
                sorted[distinct++] = sorted[i];
            }
        }

        Array.Resize(ref sorted, distinct);
        return sorted;
    }

    private long ReadMetadataOpen(int partition, byte tag, CancellationToken cancellationToken)
    {
        IdentityKeys.ThrowIfInvalidPartition(partition);
        cancellationToken.ThrowIfCancellationRequested();
        EnterOpen();
        try
        {
            return ReadMetadata(partition, tag);
        }
        finally
        {
            _open.ExitReadLock();
        }
    }

    private long ReadMetadata(int partition, byte tag)
    {
        var value = _db.Get(IdentityKeys.Metadata(partition, tag), readOptions: _reads);
        return value switch
        {
            null => 0,
            { Length: IdentityKeys.ValueLength } => (long)BinaryPrimitives.ReadUInt64BigEndian(value),
            _ => throw new InvalidDataException($"The event identity index in '{Directory}' holds a metadata value of {value.Length} bytes for partition {partition}."),
        };
    }

    /// <summary>Identities and partitions recorded, from the count keys (the metadata sorts after every identity).</summary>
    private (long Identities, int Partitions) Totals()
    {
        var identities = 0L;
        var partitions = 0;
        using var iterator = _db.NewIterator(readOptions: _reads);
        Span<byte> prefix = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, IdentityKeys.MetadataPrefix);
        for (iterator.Seek(prefix); iterator.Valid(); iterator.Next())
        {
            var key = iterator.GetKeySpan();
            if (key.Length == IdentityKeys.MetadataKeyLength && key[4] == IdentityKeys.CountTag)
            {
                identities += (long)BinaryPrimitives.ReadUInt64BigEndian(iterator.GetValueSpan());
                partitions++;
            }
        }

        return (identities, partitions);
    }

    private void EnterOpen()
    {
        _open.EnterReadLock();
        if (_disposed)
        {
            _open.ExitReadLock();
            throw new ObjectDisposedException(nameof(RocksDbEventIdentityIndex));
        }
    }
}
