using System.Net;
using System.Net.Sockets;

namespace Tally.Host.Hosting;

/// <summary>Finds free loopback ports for listeners that need a fixed port number up front (Orleans, tests, the load harness).</summary>
public static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
