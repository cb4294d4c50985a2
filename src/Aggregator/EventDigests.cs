using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Tally.Billing.Events;

namespace Tally.Aggregator;

/// <summary>
/// The digests dedup keys on: XxHash128 of the identity (tenant, source, id) and XxHash64 of what the
/// event says (type, subject, time, data). Fields are joined with a NUL, which no field may contain,
/// so different identities never share an input.
/// </summary>
public static class EventDigests
{
    public static UInt128 Identity(EventIdentity identity) =>
        Hash(identity.TenantId, identity.Source, identity.Id, static (bytes) =>
        {
            Span<byte> digest = stackalloc byte[16];
            XxHash128.Hash(bytes, digest);
            return BinaryPrimitives.ReadUInt128BigEndian(digest);
        });

    public static ulong Payload(StoredEvent stored) =>
        Hash(stored.Type, stored.Subject, stored.Time.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) + "\0" + stored.Data,
            static bytes => XxHash64.HashToUInt64(bytes));

    private static T Hash<T>(string first, string second, string third, Func<ReadOnlySpan<byte>, T> digest)
    {
        var length = Encoding.UTF8.GetByteCount(first) + Encoding.UTF8.GetByteCount(second) + Encoding.UTF8.GetByteCount(third) + 2;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var span = rented.AsSpan(0, length);
            var at = Encoding.UTF8.GetBytes(first, span);
            span[at++] = 0;
            at += Encoding.UTF8.GetBytes(second, span[at..]);
            span[at++] = 0;
            Encoding.UTF8.GetBytes(third, span[at..]);
            return digest(span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
