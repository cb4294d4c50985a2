using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RocksDbSharp;

namespace Tally.EventIdentities;

/// <summary>
/// RocksDB's batched MultiGet over a sorted run of keys, called through the C API directly: the
/// binding's own <c>MultiGet</c> drops per-key errors (a failed read would look like an absent key,
/// and the aggregator would count a re-sent event twice) and allocates an array per key.
/// </summary>
internal static class BatchedPointReads
{
    /// <summary>
    /// Looks up <paramref name="count"/> keys of <paramref name="keyLength"/> bytes laid end to end in
    /// <paramref name="keys"/>, ascending; sets <paramref name="found"/> and <paramref name="values"/>
    /// (8-byte big-endian values) at each key's index.
    /// </summary>
    /// <exception cref="IOException">RocksDB failed to read one of the keys.</exception>
    public static void Read(IntPtr db, IntPtr columnFamily, IntPtr readOptions, byte[] keys, int keyLength, int count, bool[] found, ulong[] values)
    {
        var native = Native.Instance;
        var keyPointers = new IntPtr[count];
        var keySizes = new UIntPtr[count];
        var slices = new IntPtr[count];
        var errors = new IntPtr[count];
        var pinnedKeys = GCHandle.Alloc(keys, GCHandleType.Pinned);
        var pinnedSlices = GCHandle.Alloc(slices, GCHandleType.Pinned);
        try
        {
            var first = pinnedKeys.AddrOfPinnedObject();
            for (var i = 0; i < count; i++)
            {
                keyPointers[i] = first + (i * keyLength);
                keySizes[i] = (UIntPtr)keyLength;
            }

            native.rocksdb_batched_multi_get_cf(db, readOptions, columnFamily, (UIntPtr)count, keyPointers, keySizes, pinnedSlices.AddrOfPinnedObject(), errors, sorted_input: 1);
        }
        finally
        {
            pinnedSlices.Free();
            pinnedKeys.Free();
        }

        string? error = null;
        for (var i = 0; i < count; i++)
        {
            if (errors[i] != IntPtr.Zero)
            {
                error ??= Marshal.PtrToStringUTF8(errors[i]);
                native.rocksdb_free(errors[i]);
            }

            found[i] = slices[i] != IntPtr.Zero;
            if (found[i])
            {
                var value = native.rocksdb_pinnableslice_value(slices[i], out var length);
                if ((ulong)length == IdentityKeys.ValueLength)
                {
                    var raw = (ulong)Marshal.ReadInt64(value);
                    values[i] = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(raw) : raw;
                }
                else
                {
                    error ??= $"a value of {length} bytes where {IdentityKeys.ValueLength} were expected";
                }

                native.rocksdb_pinnableslice_destroy(slices[i]);
            }
        }

        if (error is not null)
        {
            throw new IOException($"The event identity index failed to read: {error}");
        }
    }
}
