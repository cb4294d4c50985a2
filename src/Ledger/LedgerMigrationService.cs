using Microsoft.Extensions.Hosting;

namespace Tally.Ledger;

/// <summary>Brings the ledger schema up to date when the host starts, before the other hosted services.</summary>
internal sealed class LedgerMigrationService(LedgerDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
