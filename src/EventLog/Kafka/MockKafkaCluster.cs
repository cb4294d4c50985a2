using System.Globalization;
using System.Net;

namespace Tally.EventLog.Kafka;

/// <summary>
/// librdkafka's in-process mock Kafka cluster, for tests and local development without a broker. It
/// lives as long as this object; any client (in this or another process) can connect to
/// <see cref="BootstrapServers"/>. It keeps little data in memory and consumes slowly, so use it for
/// protocol-level checks at small volume, never as a store. Topics are auto-created with 4 partitions
/// on a producer's first metadata request.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private readonly nint _owner;
    private readonly nint _cluster;
    private readonly TcpRelay? _relay;
    private int _disposed;

    /// <summary>
    /// Starts a mock cluster of <paramref name="brokers"/> brokers on 127.0.0.1 ephemeral ports or, with a
    /// <paramref name="port"/>, one broker reached at 127.0.0.1 on that port (through a relay, since librdkafka picks
    /// its own ports): a cluster started again on the same port is where clients left the previous one, empty.
    /// </summary>
    public MockKafkaCluster(int brokers = 1, int port = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        if (port != 0 && brokers != 1)
        {
            throw new ArgumentException("A mock cluster on a chosen port has one broker.", nameof(brokers));
        }

        _owner = LibrdkafkaMock.NewOwner(brokers);
        try
        {
            _cluster = LibrdkafkaMock.Cluster(_owner);
            var listening = LibrdkafkaMock.Bootstraps(_cluster);
            if (port == 0)
            {
                BootstrapServers = listening;
                return;
            }

            // Metadata must name the relay's port, or clients would go around it after bootstrapping.
            LibrdkafkaMock.SetAdvertised(_cluster, 1, "127.0.0.1", port);
            var broker = listening.Split(',')[0];
            var colon = broker.LastIndexOf(':');
            _relay = new TcpRelay(port, new IPEndPoint(IPAddress.Parse(broker[..colon]), int.Parse(broker[(colon + 1)..], CultureInfo.InvariantCulture)));
            BootstrapServers = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}");
        }
        catch
        {
            LibrdkafkaMock.Destroy(_owner);
            throw;
        }
    }

    /// <summary>Comma-separated <c>host:port</c> list of the mock brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Disconnects every client and refuses connections, keeping the data: Kafka unreachable.</summary>
    public void TakeDown() => LibrdkafkaMock.SetDown(_cluster, -1);

    /// <summary>Accepts connections again after <see cref="TakeDown"/>.</summary>
    public void BringUp() => LibrdkafkaMock.SetUp(_cluster, -1);

    /// <summary>Stops the brokers; their data is gone.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _relay?.Dispose();
            LibrdkafkaMock.Destroy(_owner);
        }
    }
}
