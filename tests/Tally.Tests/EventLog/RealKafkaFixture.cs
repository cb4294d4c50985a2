using Tally.EventLog;
using Testcontainers.Kafka;

namespace Tally.Tests.EventLog;

/// <summary>
/// A real Kafka broker for the event log conformance suite: <c>TALLY_TEST_KAFKA</c> (bootstrap
/// servers of an existing cluster), else a Testcontainers.Kafka container where a Docker engine
/// answers. Without either, the tests report skipped with the reason — never passed.
/// </summary>
public sealed class RealKafkaFixture : IAsyncLifetime
{
    private KafkaContainer? _container;

    public string? BootstrapServers { get; private set; }

    public string? SkipReason { get; private set; }

    public async ValueTask InitializeAsync()
    {
        BootstrapServers = Environment.GetEnvironmentVariable("TALLY_TEST_KAFKA");
        if (!string.IsNullOrEmpty(BootstrapServers))
        {
            return;
        }

        if (!DockerLooksAvailable())
        {
            SkipReason = "No real Kafka: TALLY_TEST_KAFKA is not set and no Docker engine is reachable for Testcontainers.Kafka.";
            return;
        }

        try
        {
            // Pinned so a run is reproducible; Confluent Platform 7.6 is Apache Kafka 3.6.
            _container = new KafkaBuilder("confluentinc/cp-kafka:7.6.1").Build();
            await _container.StartAsync(TestContext.Current.CancellationToken);
            BootstrapServers = _container.GetBootstrapAddress();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SkipReason = $"No real Kafka: Testcontainers.Kafka could not start a broker ({ex.GetType().Name}: {ex.Message}).";
        }
    }

    public KafkaOptions OptionsForNewTopic()
    {
        if (SkipReason is not null)
        {
            Assert.Skip(SkipReason);
        }

        return new KafkaOptions
        {
            BootstrapServers = BootstrapServers,
            Topic = $"tally-test-{Guid.NewGuid():N}",
            Settings = { ["session.timeout.ms"] = "6000", ["heartbeat.interval.ms"] = "500" },
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    private static bool DockerLooksAvailable() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")) || File.Exists("/var/run/docker.sock");
}
