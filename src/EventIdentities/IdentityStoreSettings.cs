using RocksDbSharp;

namespace Tally.EventIdentities;

/// <summary>
/// The RocksDB settings, chosen for many small random point lookups that mostly miss, and for a memory
/// footprint that does not grow with the data: at most <c>block cache + 64 MiB of memtables</c>, plus
/// the open files' table readers (bounded by <see cref="MaxOpenFiles"/>).
/// </summary>
internal static class IdentityStoreSettings
{
    /// <summary>One memtable; two may exist at once (one being flushed), so 64 MiB at most.</summary>
    public const ulong WriteBufferBytes = 32UL * 1024 * 1024;
    public const int MaxWriteBuffers = 2;
    public const ulong TotalWriteBufferBytes = WriteBufferBytes * MaxWriteBuffers;

    /// <summary>
    /// 10 bits per key gives a full bloom filter with about 1% false positives: 99 of 100 absent
    /// identities are answered from the filter without touching a data block.
    /// </summary>
    public const int BloomBitsPerKey = 10;

    /// <summary>Bounds the table readers and file descriptors (the event log keeps its own segments open).</summary>
    public const int MaxOpenFiles = 512;

    public static (DbOptions Options, Cache BlockCache) Create(int blockCacheMegabytes)
    {
        var blockCache = Cache.CreateLru((ulong)blockCacheMegabytes * 1024 * 1024);
        var table = new BlockBasedTableOptions()
            .SetBlockCache(blockCache)
            .SetFilterPolicy(BloomFilterPolicy.Create(BloomBitsPerKey, use_block_based_builder: false))
            .SetWholeKeyFiltering(true)
            // Index and filter blocks are charged to the block cache instead of living outside it, so the
            // cache size is the read-side bound; L0's (the hottest files) stay pinned there.
            .SetCacheIndexAndFilterBlocks(true)
            .SetPinL0FilterAndIndexBlocksInCache(true)
            .SetFormatVersion(6);
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetBlockBasedTableFactory(table)
            .SetWriteBufferSize(WriteBufferBytes)
            .SetMaxWriteBufferNumber(MaxWriteBuffers)
            .SetDbWriteBufferSize(TotalWriteBufferBytes)
            // Digests are random bytes: compression would cost CPU on every flush and read and save nothing.
            .SetCompression(Compression.No)
            // Misses are the common case, so the last level keeps its filters (the default, stated because
            // "optimize for hits" is the usual advice and would be wrong here).
            .SetOptimizeFiltersForHits(0)
            .SetMaxOpenFiles(MaxOpenFiles)
            .SetKeepLogFileNum(4)
            .SetMaxLogFileSize(8UL * 1024 * 1024);
        return (options, blockCache);
    }
}
