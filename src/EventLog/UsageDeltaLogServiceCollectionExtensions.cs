using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing.EventLog;
using Tally.Billing.Usage;
using Tally.EventLog.Embedded;
using Tally.EventLog.Kafka;

namespace Tally.EventLog;

/// <summary>Registers the usage delta topic: a second event log, from the aggregator to the rating grains.</summary>
public static class UsageDeltaLogServiceCollectionExtensions
{
    /// <summary>
    /// Registers the delta log as the keyed <see cref="IEventLog"/> <see cref="UsageDeltaTopic.Name"/>:
    /// the Kafka topic <c>Kafka:UsageTopic</c> (default <c>tally.usage</c>) when Kafka is configured,
    /// otherwise an embedded log under <c>EventLog:UsageDirectory</c> or <c>{data-dir}/usage-log</c>.
    /// </summary>
    public static IServiceCollection AddTallyUsageDeltaLog(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EventLogOptions>().Bind(configuration.GetSection(EventLogOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KafkaOptions>().Bind(configuration.GetSection(KafkaOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddKeyedSingleton<IEventLog>(UsageDeltaTopic.Name, (provider, _) =>
        {
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            var kafka = provider.GetRequiredService<IOptions<KafkaOptions>>().Value;
            if (!string.IsNullOrWhiteSpace(kafka.BootstrapServers))
            {
                var topic = new KafkaOptions { BootstrapServers = kafka.BootstrapServers, Topic = kafka.UsageTopic, Settings = kafka.Settings };
                return new KafkaEventLog(topic, loggers.CreateLogger<KafkaEventLog>());
            }

            var options = provider.GetRequiredService<IOptions<EventLogOptions>>().Value;
            return FileEventLog.Open(
                options.UsageDirectory ?? Path.Combine(Path.GetFullPath(dataDirectory), "usage-log"),
                options.Partitions,
                options.SegmentBytes,
                loggers.CreateLogger<FileEventLog>(),
                provider.GetService<TimeProvider>());
        });
        return services;
    }
}
