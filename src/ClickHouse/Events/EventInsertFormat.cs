namespace Tally.ClickHouse.Events;

/// <summary>How <see cref="EventStore"/> sends events to ClickHouse (both kept so they can be measured against each other).</summary>
internal enum EventInsertFormat
{
    /// <summary>Binary rows in the request body: <c>INSERT ... FORMAT RowBinary</c>.</summary>
    RowBinary,

    /// <summary>One JSON object per line as SQL text: <c>INSERT ... FORMAT JSONEachRow</c>.</summary>
    JsonEachRow,
}
