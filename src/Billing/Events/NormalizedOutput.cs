using System.Buffers;
using System.Text.Json;

namespace Tally.Billing.Events;

/// <summary>
/// The one buffer a batch's normalized events are written into, back to back; each event is a slice of
/// it. Strings and data already in canonical form (what <c>Utf8JsonWriter</c> would write) are copied as
/// they are; anything else goes through a <c>Utf8JsonWriter</c>, so the bytes of an event never depend on
/// how the client spelled it (whitespace, escapes): a re-sent event always normalizes the same.
/// </summary>
internal sealed class NormalizedOutput(int expectedBytes)
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    private byte[] _buffer = new byte[Math.Max(256, expectedBytes)];
    private int _count;
    private ArrayBufferWriter<byte>? _scratch;
    private Utf8JsonWriter? _writer;

    public int Count => _count;

    public ReadOnlyMemory<byte> Slice(int start, int length) => _buffer.AsMemory(start, length);

    /// <summary>Forgets everything written after <paramref name="count"/> (an event refused while being written).</summary>
    public void Truncate(int count) => _count = count;

    /// <summary>Room for <paramref name="bytes"/> bytes at the end; <see cref="Advance"/> says how many were used.</summary>
    public Span<byte> Reserve(int bytes)
    {
        Ensure(bytes);
        return _buffer.AsSpan(_count, bytes);
    }

    public void Advance(int bytes) => _count += bytes;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_count));
        _count += bytes.Length;
    }

    /// <summary>Writes a JSON string of <paramref name="utf8"/> (unescaped, valid UTF-8), quoted and escaped.</summary>
    public void WriteString(ReadOnlySpan<byte> utf8, bool verbatim)
    {
        if (verbatim)
        {
            Ensure(utf8.Length + 2);
            _buffer[_count++] = (byte)'"';
            utf8.CopyTo(_buffer.AsSpan(_count));
            _count += utf8.Length;
            _buffer[_count++] = (byte)'"';
            return;
        }

        var writer = Writer();
        writer.WriteStringValue(utf8);
        Flush(writer);
    }

    /// <inheritdoc cref="WriteString(ReadOnlySpan{byte}, bool)"/>
    public void WriteString(string text)
    {
        var writer = Writer();
        writer.WriteStringValue(text);
        Flush(writer);
    }

    public void WriteInstant(DateTimeOffset instant)
    {
        Ensure(Rfc3339.MaxFormattedLength + 2);
        _buffer[_count++] = (byte)'"';
        _count += Rfc3339.Format(instant, _buffer.AsSpan(_count));
        _buffer[_count++] = (byte)'"';
    }

    /// <summary>
    /// Writes the JSON object <paramref name="json"/> (valid, already checked) in canonical form: no
    /// whitespace, strings escaped as <c>Utf8JsonWriter</c> escapes them, numbers as they were written.
    /// </summary>
    public void WriteCanonical(ReadOnlySpan<byte> json)
    {
        var writer = Writer();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = Limits.JsonDepth + 1 });
        var small = new byte[256];
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject: writer.WriteStartObject(); break;
                case JsonTokenType.EndObject: writer.WriteEndObject(); break;
                case JsonTokenType.StartArray: writer.WriteStartArray(); break;
                case JsonTokenType.EndArray: writer.WriteEndArray(); break;
                case JsonTokenType.PropertyName: writer.WritePropertyName(Unescaped(ref reader, small)); break;
                case JsonTokenType.String: writer.WriteStringValue(Unescaped(ref reader, small)); break;
                case JsonTokenType.Number: writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true); break;
                case JsonTokenType.True: writer.WriteBooleanValue(true); break;
                case JsonTokenType.False: writer.WriteBooleanValue(false); break;
                default: writer.WriteNullValue(); break;
            }
        }

        Flush(writer);
    }

    private static ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader, byte[] small)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        var buffer = reader.ValueSpan.Length <= small.Length ? small : new byte[reader.ValueSpan.Length];
        return buffer.AsSpan(0, reader.CopyString(buffer));
    }

    private Utf8JsonWriter Writer()
    {
        _scratch ??= new ArrayBufferWriter<byte>(256);
        _scratch.ResetWrittenCount();
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(_scratch, WriterOptions);
        }
        else
        {
            _writer.Reset(_scratch);
        }

        return _writer;
    }

    private void Flush(Utf8JsonWriter writer)
    {
        writer.Flush();
        Write(_scratch!.WrittenSpan);
    }

    private void Ensure(int more)
    {
        if (_count + more <= _buffer.Length)
        {
            return;
        }

        var grown = new byte[Math.Max(_buffer.Length * 2, _count + more)];
        _buffer.AsSpan(0, _count).CopyTo(grown);
        _buffer = grown;
    }
}
