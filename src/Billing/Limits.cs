namespace Tally.Billing;

/// <summary>
/// Every bound Tally puts on what clients send, in one place (the README's limits table lists them):
/// lengths, counts, the instants the usage store can hold, and the billing periods Tally closes.
/// </summary>
public static class Limits
{
    /// <summary>CloudEvent <c>id</c>, <c>source</c>, <c>type</c> and <c>subject</c>; also subject keys and filter values.</summary>
    public const int Identifier = 256;

    /// <summary>Display names: tenants, customers, plans, meters.</summary>
    public const int Name = 256;

    /// <summary>Free-text descriptions.</summary>
    public const int Description = 1024;

    /// <summary>Slugs and keys of meters, plans and rate cards.</summary>
    public const int Key = 63;

    /// <summary>A JSONPath (valueProperty, groupBy values).</summary>
    public const int JsonPath = 256;

    /// <summary>groupBy entries of one meter.</summary>
    public const int GroupByEntries = 20;

    /// <summary>Rate cards of one plan.</summary>
    public const int RateCards = 100;

    /// <summary>Subject keys of one customer.</summary>
    public const int SubjectKeys = 100;

    /// <summary>Subjects named in one meter query.</summary>
    public const int QuerySubjects = 100;

    /// <summary>Bytes of one event's <c>data</c> once normalized.</summary>
    public const int EventDataBytes = 64 * 1024;

    /// <summary>Events in one ingest request.</summary>
    public const int EventsPerRequest = 10_000;

    /// <summary>How deep JSON may nest in an ingest request: the batch, the event, its data and what data nests.</summary>
    public const int JsonDepth = 32;

    /// <summary>Bytes of one ingest request body.</summary>
    public const int RequestBodyBytes = 16 * 1024 * 1024;

    /// <summary>The earliest instant the usage store holds (its DateTime range starts at the Unix epoch).</summary>
    public static readonly DateTimeOffset EarliestInstant = DateTimeOffset.UnixEpoch;

    /// <summary>The first instant past what Tally stores or queries (well inside ClickHouse's DateTime range, which ends in 2106).</summary>
    public static readonly DateTimeOffset EndOfTime = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Billing periods Tally closes: 2000-01 up to 2099-12.</summary>
    public const int FirstPeriodYear = 2000;

    /// <inheritdoc cref="FirstPeriodYear"/>
    public const int LastPeriodYear = 2099;

    /// <summary>True when <paramref name="instant"/> lies in [<see cref="EarliestInstant"/>, <see cref="EndOfTime"/>).</summary>
    public static bool IsStorable(DateTimeOffset instant) => instant >= EarliestInstant && instant < EndOfTime;

    /// <summary>How to describe the storable range in an error.</summary>
    public static string StorableRange => "between 1970-01-01T00:00:00Z and 2099-12-31T23:59:59Z";

    /// <summary>
    /// True when <paramref name="text"/> has a control character (C0 including NUL, DEL, C1) or an
    /// unpaired surrogate: such text cannot be meaningful in an identifier, key or name, and NUL is
    /// cut short by C-string APIs downstream.
    /// </summary>
    public static bool HasControlCharacters(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c))
            {
                return true;
            }

            if (char.IsHighSurrogate(c) && (i + 1 == text.Length || !char.IsLowSurrogate(text[++i])))
            {
                return true;
            }

            if (char.IsLowSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The problem with an identifier-like value, or null when it is fine: required, at most
    /// <paramref name="maxLength"/> characters, no control characters.
    /// </summary>
    public static string? IdentifierProblem(string? value, int maxLength = Identifier) => value switch
    {
        null or "" => "is required; send a non-empty string.",
        _ when value.Length > maxLength => $"is {value.Length} characters long; at most {maxLength} are allowed.",
        _ when HasControlCharacters(value) => "contains a control character (such as NUL, a tab or a line break); send printable text.",
        _ => null,
    };
}
