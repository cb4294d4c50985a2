namespace Tally.EventLog.IngestBuffer;

/// <summary>What the forwarder from the ingest buffer to Kafka is doing, as <c>/readyz</c> names it.</summary>
internal enum ForwardingState
{
    /// <summary>Connecting to Kafka (at start, or after a failure).</summary>
    Connecting,

    /// <summary>Connected: producing buffered records as they come, or idle with nothing pending.</summary>
    Forwarding,

    /// <summary>The last attempt failed (Kafka unreachable, deliveries timed out, a fatal producer error); retrying after a pause.</summary>
    Retrying,

    /// <summary>The log was disposed.</summary>
    Stopped,
}
