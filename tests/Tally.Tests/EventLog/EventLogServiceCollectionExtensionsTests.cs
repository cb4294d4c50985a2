using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tally.Billing.EventLog;
using Tally.EventLog;
using Tally.EventLog.Embedded;
using Tally.EventLog.Kafka;
using Tally.ServiceDefaults;
using Xunit;

namespace Tally.Tests.EventLog;

public sealed class EventLogServiceCollectionExtensionsTests(MockKafkaFixture cluster) : IClassFixture<MockKafkaFixture>, IDisposable
{
    private readonly TempDirectory _dataDir = new();

    [Fact]
    public async Task AddTallyEventLog_NoKafkaServers_RegistersFileLogUnderDataDirectory()
    {
        await using var provider = Build(new() { ["EventLog:Partitions"] = "2" });

        var log = Assert.IsType<FileEventLog>(provider.GetRequiredService<IEventLog>());

        Assert.Equal(Path.Combine(_dataDir.Path, "log"), log.Directory);
        Assert.Equal(2, log.PartitionCount);
    }

    [Fact]
    public async Task AddTallyEventLog_KafkaServersSet_RegistersKafkaLogOnConfiguredTopic()
    {
        await using var provider = Build(new()
        {
            ["Kafka:BootstrapServers"] = cluster.Cluster.BootstrapServers,
            ["Kafka:Topic"] = "tally.di-test",
        });

        var log = Assert.IsType<KafkaEventLog>(provider.GetRequiredService<IEventLog>());

        Assert.Equal("tally.di-test", log.Topic);
        Assert.Equal(4, log.PartitionCount);
    }

    [Fact]
    public async Task AddTallyEventLog_PartitionsOutOfRange_FailsStartupValidationNamingTheKey()
    {
        await using var provider = Build(new() { ["EventLog:Partitions"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Partitions", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dataDir.Dispose();

    private ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddTallyEventLog(configuration, _dataDir.Path)
            .BuildServiceProvider();
    }
}
