using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tally.RatingBench;

/// <summary>
/// One keep-alive HTTP/1.1 connection that sends a prebuilt request and reads the whole response
/// (Content-Length or chunked), returning its status: the load generator's client, as lean as wrk's so
/// that the generator's own cost on the shared cores stays small next to the server's.
/// </summary>
public sealed class RawHttpConnection : IDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();
    private readonly Socket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    private RawHttpConnection(Socket socket) => _socket = socket;

    public static async Task<RawHttpConnection> OpenAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint, cancellationToken);
        return new RawHttpConnection(socket);
    }

    /// <summary>A GET request's bytes, with an optional bearer token.</summary>
    public static byte[] Get(IPEndPoint endPoint, string path, string? bearer) => Encoding.ASCII.GetBytes(
        $"GET {path} HTTP/1.1\r\nHost: {endPoint}\r\n{(bearer is null ? "" : $"Authorization: Bearer {bearer}\r\n")}\r\n");

    /// <summary>Sends the request and reads its response; returns the status code and the body's length.</summary>
    public async Task<(int Status, int BodyBytes)> RoundTripAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        await _socket.SendAsync(request, SocketFlags.None, cancellationToken);
        var headerEnd = await FindAsync(HeaderEnd, cancellationToken);
        var status = ((_buffer[_start + 9] - '0') * 100) + ((_buffer[_start + 10] - '0') * 10) + (_buffer[_start + 11] - '0');
        var headers = Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start);
        _start = headerEnd + HeaderEnd.Length;
        if (Header(headers, "content-length") is { } length)
        {
            var bytes = int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
            await FillAsync(bytes, cancellationToken);
            _start += bytes;
            return (status, bytes);
        }

        if (!string.Equals(Header(headers, "transfer-encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"a response with neither Content-Length nor chunked encoding: {headers}");
        }

        var body = 0;
        while (true)
        {
            var lineEnd = await FindAsync(Crlf, cancellationToken);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(_buffer, _start, lineEnd - _start).Split(';')[0], 16);
            _start = lineEnd + Crlf.Length;
            await FillAsync(size + Crlf.Length, cancellationToken);
            _start += size + Crlf.Length;
            body += size;
            if (size == 0)
            {
                return (status, body);
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private static string? Header(string headers, string name)
    {
        foreach (var line in headers.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    /// <summary>Reads until <paramref name="marker"/> is buffered after the start; returns its index.</summary>
    private async Task<int> FindAsync(byte[] marker, CancellationToken cancellationToken)
    {
        while (true)
        {
            var at = _buffer.AsSpan(_start, _end - _start).IndexOf(marker);
            if (at >= 0)
            {
                return _start + at;
            }

            await ReceiveAsync(cancellationToken);
        }
    }

    /// <summary>Reads until at least <paramref name="bytes"/> are buffered after the start.</summary>
    private async Task FillAsync(int bytes, CancellationToken cancellationToken)
    {
        while (_end - _start < bytes)
        {
            await ReceiveAsync(cancellationToken);
        }
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            var kept = _end - _start;
            var target = kept * 2 > _buffer.Length ? new byte[_buffer.Length * 2] : _buffer;
            Buffer.BlockCopy(_buffer, _start, target, 0, kept);
            _buffer = target;
            _start = 0;
            _end = kept;
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (read == 0)
        {
            throw new IOException("the server closed the connection");
        }

        _end += read;
    }
}
