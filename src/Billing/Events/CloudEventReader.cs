using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Tally.Billing.Events;

/// <summary>
/// One parse of one request body (see <see cref="CloudEventParser"/>): reads the batch token by token,
/// validates each event's attributes as they come, and writes the accepted event into
/// <see cref="NormalizedOutput"/> when its object closes. Field errors are collected per event in the
/// order of the CloudEvents attributes, whatever order the client wrote them in.
/// </summary>
internal sealed partial class CloudEventReader
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = Limits.JsonDepth };

    private readonly ReadOnlyMemory<byte> _json;
    private readonly DateTimeOffset _now;
    private readonly DateTimeOffset _latest;
    private readonly TimeSpan _skew;
    private readonly NormalizedOutput _output;
    private readonly byte[] _ingested = new byte[Rfc3339.MaxFormattedLength + 2];
    private readonly List<FieldError> _errors = [];
    private readonly List<(int Rank, FieldError Error)> _eventErrors = [];
    private readonly List<Accepted> _accepted;
    private readonly bool _checkUtf8;
    private int _ingestedLength;
    private int _errorCount;
    private bool _batch;
    private int _index = -1;
    private string? _field;
    private EventState _event;
    private StringCache _sources;
    private StringCache _types;
    private StringCache _subjects;

    public CloudEventReader(ReadOnlyMemory<byte> body, DateTimeOffset now, CloudEventRules rules)
    {
        // A UTF-8 byte order mark is tolerated, as JsonDocument tolerated it.
        _json = body.Span.StartsWith("\uFEFF"u8) ? body[3..] : body;
        _now = now.ToUniversalTime();
        _skew = rules.MaxFutureSkew;
        _latest = _now + rules.MaxFutureSkew;
        // The normalized form adds tallyingested (and time, specversion when absent): room for that up front, no regrowth.
        _output = new NormalizedOutput(_json.Length + (_json.Length / 3) + 256);
        _checkUtf8 = !Utf8.IsValid(_json.Span);
        _accepted = new List<Accepted>(Math.Min((_json.Length / 128) + 1, CloudEventParser.MaxBatchSize));
    }

    public CloudEventBatch Read(bool? expectBatch)
    {
        var json = _json.Span;
        if (json.TrimStart(" \t\r\n"u8).IsEmpty)
        {
            return Refused("body", "is empty; send a CloudEvent JSON object or an array of them.");
        }

        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            reader.Read();

            if (reader.TokenType == JsonTokenType.StartArray)
            {
                if (expectBatch == false)
                {
                    return Refused("body", "must be one CloudEvent JSON object for application/cloudevents+json; use application/cloudevents-batch+json for arrays.");
                }

                ReadBatch(ref reader);
            }
            else if (expectBatch == true)
            {
                return Refused("body", "must be a JSON array of CloudEvents for application/cloudevents-batch+json.");
            }
            else if (reader.TokenType != JsonTokenType.StartObject && expectBatch == false)
            {
                return Refused("body", "must be one CloudEvent JSON object for application/cloudevents+json; use application/cloudevents-batch+json for arrays.");
            }
            else
            {
                ReadEvent(ref reader, -1);
            }

            // Anything after the one value is refused by the reader itself.
            reader.Read();
        }
        catch (JsonException ex)
        {
            SyntaxError(json, ref reader, ex);
        }

        if (_errorCount == 0 && _checkUtf8)
        {
            AddError("body", "is not valid UTF-8; send JSON text encoded as UTF-8.");
        }

        return _errorCount > 0 ? new CloudEventBatch([], _errors) { IsArray = _batch } : new CloudEventBatch(Events(), []) { IsArray = _batch };
    }

    private void ReadBatch(ref Utf8JsonReader reader)
    {
        _batch = true;
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count < CloudEventParser.MaxBatchSize)
            {
                ReadEvent(ref reader, count);
            }
            else
            {
                _index = count;
                SkipValue(ref reader);
            }

            count++;
        }

        _index = -1;
        if (count == 0)
        {
            AddError("body", "is an empty batch; send at least one event.");
        }
        else if (count > CloudEventParser.MaxBatchSize)
        {
            _errors.Clear();
            _errorCount = 0;
            AddError("body", $"holds {count} events; send at most {CloudEventParser.MaxBatchSize} per request.");
        }
    }

    private void ReadEvent(ref Utf8JsonReader reader, int index)
    {
        _index = index;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            AddError(index < 0 ? "body" : $"[{index}]", "must be a CloudEvent JSON object.");
            SkipValue(ref reader);
            return;
        }

        _event = default;
        _eventErrors.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var attribute = Classify(ref reader, out var name);
            _field = name;
            reader.Read();
            ReadAttribute(ref reader, attribute);
            _field = null;
        }

        FinishEvent();
    }

    private void FinishEvent()
    {
        RequirePresent(Attribute.SpecVersion, "specversion", "");
        RequirePresent(Attribute.Id, "id", "");
        RequirePresent(Attribute.Source, "source", "");
        RequirePresent(Attribute.Type, "type", "");
        RequirePresent(Attribute.Subject, "subject", SubjectHint);
        if (_eventErrors.Count == 0)
        {
            WriteEvent();
        }

        if (_eventErrors.Count > 0)
        {
            // Stable by rank: the order of the CloudEvents attributes, then the order they came in.
            foreach (var (_, error) in _eventErrors.OrderBy(e => e.Rank))
            {
                AddError(error.Field, error.Message);
            }
        }

        if (_batch)
        {
            _index = -1;
        }
    }

    private void RequirePresent(Attribute attribute, string name, string hint)
    {
        if (!_event.Has(attribute) && !_event.Failed(attribute))
        {
            EventError(attribute, name, $"is required{hint}; add a non-empty string.");
        }
    }

    private void EventError(Attribute attribute, string name, string message)
    {
        _event.Fail(attribute);
        _eventErrors.Add(((int)attribute, new FieldError(FieldName(name), message)));
    }

    private string FieldName(string name) => _index < 0 ? name : $"[{_index}].{name}";

    private void AddError(string field, string message)
    {
        _errorCount++;
        if (_errors.Count < CloudEventParser.MaxErrors - 1)
        {
            _errors.Add(new FieldError(field, message));
        }
        else if (_errors.Count == CloudEventParser.MaxErrors - 1)
        {
            _errors.Add(new FieldError("body", $"has more errors than the {CloudEventParser.MaxErrors - 1} listed; fix those and send it again."));
        }
    }

    private CloudEventBatch Refused(string field, string message)
    {
        AddError(field, message);
        return new CloudEventBatch([], _errors);
    }

    private void SyntaxError(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, JsonException ex)
    {
        var rest = json[(int)Math.Min(reader.BytesConsumed, json.Length)..].TrimStart(" \t\r\n"u8);
        var where = _field is not null ? FieldName(_field) : _index >= 0 ? $"[{_index}]" : null;
        if (IsTruncated(json[(int)reader.BytesConsumed..], reader.CurrentState))
        {
            AddError("body", $"ends before the JSON is complete{(where is null ? "" : $" (inside {where})")}; send the whole document.");
        }
        else if (reader.CurrentDepth >= Limits.JsonDepth - 1 && !rest.IsEmpty && rest[0] is (byte)'[' or (byte)'{' or (byte)',' or (byte)':')
        {
            AddError(where ?? "body", $"nests JSON deeper than {Limits.JsonDepth} levels; send flatter data.");
        }
        else
        {
            AddError(where ?? "body", $"is not valid JSON ({ex.Message}); send a CloudEvent object or an array of them.");
        }
    }

    /// <summary>Whether the bytes after the last good token are only the start of a valid document.</summary>
    private static bool IsTruncated(ReadOnlySpan<byte> rest, JsonReaderState state)
    {
        var probe = new Utf8JsonReader(rest, isFinalBlock: false, state);
        try
        {
            while (probe.Read())
            {
            }

            return probe.CurrentDepth > 0 || probe.BytesConsumed < rest.Length || rest.TrimStart(" \t\r\n"u8).IsEmpty;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private IReadOnlyList<UsageEvent> Events()
    {
        var events = new UsageEvent[_accepted.Count];
        for (var i = 0; i < events.Length; i++)
        {
            var accepted = _accepted[i];
            events[i] = new UsageEvent(accepted.Id, accepted.Source, accepted.Type, accepted.Subject, accepted.Time, _output.Slice(accepted.Start, accepted.Length))
            {
                Data = accepted.DataLength == 0 ? ReadOnlyMemory<byte>.Empty : _output.Slice(accepted.DataStart, accepted.DataLength),
            };
        }

        return events;
    }

    private static string Truncate(ReadOnlySpan<byte> utf8)
    {
        var text = Encoding.UTF8.GetString(utf8.Length > 256 ? utf8[..256] : utf8);
        return text.Length <= 64 ? text : text[..64] + "…";
    }

    private readonly record struct Accepted(
        string Id, string Source, string Type, string Subject, DateTimeOffset Time, int Start, int Length, int DataStart, int DataLength);
}
