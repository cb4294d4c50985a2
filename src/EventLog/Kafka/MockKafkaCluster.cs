using System.Globalization;
using Confluent.Kafka;

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
    private readonly IProducer<Null, Null> _owner;

    /// <summary>Starts a mock cluster of <paramref name="brokers"/> brokers on 127.0.0.1 ephemeral ports.</summary>
    public MockKafkaCluster(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        var config = new ProducerConfig();
        config.Set("test.mock.num.brokers", brokers.ToString(CultureInfo.InvariantCulture));
        _owner = new ProducerBuilder<Null, Null>(config).SetLogHandler((_, _) => { }).Build();
        try
        {
            using var admin = new DependentAdminClientBuilder(_owner.Handle).Build();
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
            BootstrapServers = string.Join(',', metadata.Brokers.Select(b => $"{b.Host}:{b.Port}"));
        }
        catch
        {
            _owner.Dispose();
            throw;
        }
    }

    /// <summary>Comma-separated <c>host:port</c> list of the mock brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Stops the brokers; their data is gone.</summary>
    public void Dispose() => _owner.Dispose();
}
