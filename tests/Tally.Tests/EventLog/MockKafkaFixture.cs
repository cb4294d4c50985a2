using Tally.EventLog;
using Tally.EventLog.Kafka;

namespace Tally.Tests.EventLog;

/// <summary>One mock cluster per test class; each test gets its own topic so tests never share data.</summary>
public sealed class MockKafkaFixture : IDisposable
{
    public MockKafkaCluster Cluster { get; } = new();

    public KafkaOptions OptionsForNewTopic() => new()
    {
        BootstrapServers = Cluster.BootstrapServers,
        Topic = $"tally-test-{Guid.NewGuid():N}",
        Settings = { ["session.timeout.ms"] = "6000", ["heartbeat.interval.ms"] = "500" },
    };

    public void Dispose() => Cluster.Dispose();
}
