using System.Net;
using System.Net.Sockets;

namespace Tally.EventLog.Kafka;

/// <summary>
/// Passes every TCP connection made to a loopback port on to another endpoint, byte for byte. It gives the mock
/// cluster a port of the caller's choosing (librdkafka binds its mock brokers to ephemeral ports), so a mock
/// started again after a crash is found where clients left the old one.
/// </summary>
internal sealed class TcpRelay : IDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();

    public TcpRelay(int port, IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, port);

        // The previous owner's connections may linger in TIME_WAIT on this port.
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                client.NoDelay = true;
                upstream.NoDelay = true;
                await upstream.ConnectAsync(_target, _stop.Token).ConfigureAwait(false);
                var inbound = client.GetStream();
                var outbound = upstream.GetStream();

                // When either side closes, both connections close.
                await Task.WhenAny(inbound.CopyToAsync(outbound, _stop.Token), outbound.CopyToAsync(inbound, _stop.Token)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // A closed or refused connection is what the client would have seen without the relay.
            }
        }
    }
}
