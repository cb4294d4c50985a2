using Tally.Aggregator.Storage;

namespace Tally.Host.Hosting;

/// <summary>Creates the ClickHouse usage tables before the process serves queries.</summary>
internal sealed class UsageSchemaInitializer(UsageTable table) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => table.EnsureCreatedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
