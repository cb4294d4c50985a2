using System.Text;
using Confluent.Kafka;
using Tally.EventLog;
using Xunit;

namespace Tally.Tests.EventLog;

public sealed class KeyPartitionerTests(MockKafkaFixture cluster) : IClassFixture<MockKafkaFixture>
{
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("", 275646681)]
    public void Murmur2_KnownKafkaVectors_MatchJavaClient(string key, int expected) =>
        Assert.Equal(expected, KeyPartitioner.Murmur2(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public async Task ForKey_ManyKeys_MatchesLibrdkafkaMurmur2Partitioner()
    {
        var options = cluster.OptionsForNewTopic();
        var config = new ProducerConfig { BootstrapServers = options.BootstrapServers, Partitioner = Partitioner.Murmur2 };
        using var producer = new ProducerBuilder<string, string>(config).SetLogHandler((_, _) => { }).Build();
        var keys = Enumerable.Range(0, 50).Select(i => $"tenant-{i}:subject-{i * 7}").Append("ü-ключ").ToList();

        foreach (var key in keys)
        {
            var delivered = await producer.ProduceAsync(options.Topic, new Message<string, string> { Key = key, Value = "v" }, TestContext.Current.CancellationToken);
            Assert.Equal(delivered.Partition.Value, KeyPartitioner.ForKey(key, 4));
        }
    }
}
