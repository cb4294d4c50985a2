using System.Net;
using System.Net.Sockets;

namespace Tally.EndToEnd;

internal static class TestPorts
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
