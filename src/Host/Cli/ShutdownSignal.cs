using System.Runtime.InteropServices;

namespace Tally.Host.Cli;

/// <summary>Completes on Ctrl-C or SIGTERM, for commands that run without the generic host.</summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    public CancellationToken Token => _stopping.Token;

    /// <summary>Requests the same shutdown a signal would.</summary>
    public void Stop() => _stopping.Cancel();

    public Task WaitAsync() => Task.Delay(Timeout.Infinite, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stopping.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        _stopping.Cancel();
    }
}
