using System.Text;

namespace Tally.Billing.Events;

internal sealed partial class CloudEventReader
{
    /// <summary>Writes the accepted event in the normalized form <see cref="LoggedEventReader"/> reads back.</summary>
    private void WriteEvent()
    {
        if (_ingestedLength == 0)
        {
            var ingested = new DateTimeOffset(_now.UtcTicks - (_now.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
            _ingestedLength = Rfc3339.Format(ingested, _ingested);
        }

        var json = _json.Span;
        var start = _output.Count;
        var time = _event.HasTime ? _event.Time : _now;
        if (_event.Id.Verbatim && _event.Source.Verbatim && _event.Type.Verbatim && _event.Subject.Verbatim && (!_event.HasData || _event.DataCanonical))
        {
            WritePlain(json, time);
            return;
        }

        _output.Write("{\"specversion\":\"1.0\",\"id\":"u8);
        WriteText(json, _event.Id);
        _output.Write(",\"source\":"u8);
        WriteText(json, _event.Source);
        _output.Write(",\"type\":"u8);
        WriteText(json, _event.Type);
        _output.Write(",\"subject\":"u8);
        WriteText(json, _event.Subject);
        _output.Write(",\"time\":"u8);
        _output.WriteInstant(time);
        _output.Write(",\"tallyingested\":\""u8);
        _output.Write(_ingested.AsSpan(0, _ingestedLength));
        _output.Write("\""u8);
        int dataStart = 0, dataLength = 0;
        if (_event.HasData)
        {
            _output.Write(",\"data\":"u8);
            dataStart = _output.Count;
            var data = json.Slice(_event.DataStart, _event.DataLength);
            if (_event.DataCanonical)
            {
                _output.Write(data);
            }
            else
            {
                _output.WriteCanonical(data);
            }

            dataLength = _output.Count - dataStart;
            if (dataLength > Limits.EventDataBytes)
            {
                _output.Truncate(start);
                EventError(Attribute.Data, "data", $"is larger than {Limits.EventDataBytes / 1024} KiB; send at most that much data per event.");
                return;
            }
        }

        _output.Write("}"u8);
        Accept(json, time, start, dataStart, dataLength);
    }

    /// <summary>The common case: every string and the data already canonical, so one reservation and plain copies.</summary>
    private void WritePlain(ReadOnlySpan<byte> json, DateTimeOffset time)
    {
        var data = _event.HasData ? json.Slice(_event.DataStart, _event.DataLength) : default;
        if (data.Length > Limits.EventDataBytes)
        {
            EventError(Attribute.Data, "data", $"is larger than {Limits.EventDataBytes / 1024} KiB; send at most that much data per event.");
            return;
        }

        var start = _output.Count;
        var span = _output.Reserve(128 + _event.Id.Length + _event.Source.Length + _event.Type.Length + _event.Subject.Length + Rfc3339.MaxFormattedLength + _ingestedLength + data.Length);
        var at = Put(span, 0, "{\"specversion\":\"1.0\",\"id\":\""u8);
        at = Put(span, at, json.Slice(_event.Id.Start, _event.Id.Length));
        at = Put(span, at, "\",\"source\":\""u8);
        at = Put(span, at, json.Slice(_event.Source.Start, _event.Source.Length));
        at = Put(span, at, "\",\"type\":\""u8);
        at = Put(span, at, json.Slice(_event.Type.Start, _event.Type.Length));
        at = Put(span, at, "\",\"subject\":\""u8);
        at = Put(span, at, json.Slice(_event.Subject.Start, _event.Subject.Length));
        at = Put(span, at, "\",\"time\":\""u8);
        at += Rfc3339.Format(time, span[at..]);
        at = Put(span, at, "\",\"tallyingested\":\""u8);
        at = Put(span, at, _ingested.AsSpan(0, _ingestedLength));
        at = Put(span, at, "\""u8);
        int dataStart = 0, dataLength = 0;
        if (_event.HasData)
        {
            at = Put(span, at, ",\"data\":"u8);
            dataStart = start + at;
            dataLength = data.Length;
            at = Put(span, at, data);
        }

        span[at++] = (byte)'}';
        _output.Advance(at);
        Accept(json, time, start, dataStart, dataLength);
    }

    private static int Put(Span<byte> span, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        return at + bytes.Length;
    }

    private void Accept(ReadOnlySpan<byte> json, DateTimeOffset time, int start, int dataStart, int dataLength)
    {
        _accepted.Add(new Accepted(
            Text(json, _event.Id),
            _sources.Get(json, _event.Source),
            _types.Get(json, _event.Type),
            _subjects.Get(json, _event.Subject),
            time,
            start,
            _output.Count - start,
            dataStart,
            dataLength));
    }

    private void WriteText(ReadOnlySpan<byte> json, TextValue value)
    {
        if (value.Text is not null)
        {
            _output.WriteString(value.Text);
        }
        else
        {
            _output.WriteString(json.Slice(value.Start, value.Length), value.Verbatim);
        }
    }

    private static string Text(ReadOnlySpan<byte> json, TextValue value) =>
        value.Text ?? Encoding.UTF8.GetString(json.Slice(value.Start, value.Length));

    /// <summary>An attribute's string: where its raw bytes are in the body, or its decoded text when it had escapes.</summary>
    private readonly record struct TextValue(int Start, int Length, string? Text, bool Verbatim);

    /// <summary>What one event said so far.</summary>
    private struct EventState
    {
        private int _seen;
        private int _failed;
        private bool _specVersionSet;

        public TextValue Id;
        public TextValue Source;
        public TextValue Type;
        public TextValue Subject;
        public DateTimeOffset Time;
        public bool HasTime;
        public int DataStart;
        public int DataLength;
        public bool DataCanonical;
        public bool HasData;

        public readonly bool Seen(Attribute attribute) => (_seen & (1 << (int)attribute)) != 0;

        public readonly bool Has(Attribute attribute) => attribute switch
        {
            Attribute.Id => Id.Length > 0 || Id.Text is not null,
            Attribute.Source => Source.Length > 0 || Source.Text is not null,
            Attribute.Type => Type.Length > 0 || Type.Text is not null,
            Attribute.Subject => Subject.Length > 0 || Subject.Text is not null,
            _ => _specVersionSet,
        };

        public readonly bool Failed(Attribute attribute) => (_failed & (1 << (int)attribute)) != 0;

        public void MarkSeen(Attribute attribute) => _seen |= 1 << (int)attribute;

        public void Fail(Attribute attribute) => _failed |= 1 << (int)attribute;

        public void Set(Attribute attribute, TextValue value)
        {
            MarkSeen(attribute);
            switch (attribute)
            {
                case Attribute.Id: Id = value; break;
                case Attribute.Source: Source = value; break;
                case Attribute.Type: Type = value; break;
                case Attribute.Subject: Subject = value; break;
                default: _specVersionSet = true; break;
            }
        }
    }

    /// <summary>
    /// Reuses the last string made for an attribute while the next event repeats its bytes: sources, types
    /// and often subjects repeat through a batch, so most events allocate only their id.
    /// </summary>
    private struct StringCache
    {
        private int _start;
        private int _length;
        private string? _text;

        public string Get(ReadOnlySpan<byte> json, TextValue value)
        {
            if (value.Text is not null)
            {
                return value.Text;
            }

            var bytes = json.Slice(value.Start, value.Length);
            if (_text is null || !json.Slice(_start, _length).SequenceEqual(bytes))
            {
                (_start, _length, _text) = (value.Start, value.Length, Encoding.UTF8.GetString(bytes));
            }

            return _text;
        }
    }
}
