using Microsoft.Extensions.Hosting;
using Tally.Billing.EventLog;

namespace Tally.EventLog.IngestBuffer;

/// <summary>
/// Opens the buffered log with the host, so forwarding resumes before the first event arrives, and when the host
/// stops gives the forwarder up to <see cref="DrainTimeout"/> to empty the buffer into Kafka: a buffer on a disk that
/// goes with the process (a pod's emptyDir) is then left empty whenever Kafka answers.
/// </summary>
internal sealed class IngestBufferDrain(IEventLog log) : IHostedService
{
    /// <summary>How long a stopping gateway waits for Kafka to take what its buffer holds.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        log is BufferedKafkaEventLog buffered ? buffered.DrainAsync(DrainTimeout, cancellationToken) : Task.CompletedTask;
}
