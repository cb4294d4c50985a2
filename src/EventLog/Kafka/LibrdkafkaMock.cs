using System.Runtime.InteropServices;

namespace Tally.EventLog.Kafka;

/// <summary>
/// The few librdkafka C functions behind <see cref="MockKafkaCluster"/> that Confluent.Kafka does not wrap: the mock
/// cluster's handle, its advertised addresses, and taking its brokers down and up. librdkafka is the native library
/// Confluent.Kafka ships (librdkafka.redist), resolved the same way.
/// </summary>
internal static unsafe partial class LibrdkafkaMock
{
    private const string Library = "librdkafka";
    private const int Producer = 0;
    private const int ErrorBytes = 512;

    // The build Confluent.Kafka loads on Linux: the glibc one, else the builds without SASL (this machine has no
    // libsasl2), tried in the order Confluent tries them, so both load the same file.
    private static readonly string[] LinuxBuilds = ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so"];

    static LibrdkafkaMock() => NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaMock).Assembly, (name, _, _) => name == Library ? Load() : 0);

    /// <summary>A librdkafka producer handle with <c>test.mock.num.brokers</c> set, which owns the mock cluster.</summary>
    public static nint NewOwner(int brokers)
    {
        var conf = ConfNew();
        var error = stackalloc byte[ErrorBytes];
        foreach (var (name, value) in new[] { ("test.mock.num.brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("log_level", "0") })
        {
            if (ConfSet(conf, name, value, error, ErrorBytes) != 0)
            {
                ConfDestroy(conf);
                throw new InvalidOperationException($"librdkafka refused {name}={value}: {Marshal.PtrToStringUTF8((nint)error)}");
            }
        }

        var owner = New(Producer, conf, error, ErrorBytes);
        if (owner == 0)
        {
            ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka could not start the mock cluster: {Marshal.PtrToStringUTF8((nint)error)}");
        }

        return owner;
    }

    private static nint Load()
    {
        var directories = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(Confluent.Kafka.Library).Assembly.Location) ?? "" }
            .Select(d => Path.Combine(d, "runtimes", RuntimeInformation.RuntimeIdentifier.StartsWith("linux-arm64", StringComparison.Ordinal) ? "linux-arm64" : "linux-x64", "native"));
        foreach (var path in directories.SelectMany(d => LinuxBuilds.Select(b => Path.Combine(d, b))))
        {
            if (NativeLibrary.TryLoad(path, out var handle))
            {
                return handle;
            }
        }

        return 0;
    }

    public static nint Cluster(nint owner) => HandleMockCluster(owner) is var cluster and not 0
        ? cluster
        : throw new InvalidOperationException("librdkafka started no mock cluster.");

    public static string Bootstraps(nint cluster) => Marshal.PtrToStringUTF8(ClusterBootstraps(cluster)) ?? "";

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_new")]
    private static partial nint ConfNew();

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ConfSet(nint conf, string name, string value, byte* error, nuint errorSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_destroy")]
    private static partial void ConfDestroy(nint conf);

    [LibraryImport(Library, EntryPoint = "rd_kafka_new")]
    private static partial nint New(int type, nint conf, byte* error, nuint errorSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_destroy")]
    public static partial void Destroy(nint handle);

    [LibraryImport(Library, EntryPoint = "rd_kafka_handle_mock_cluster")]
    private static partial nint HandleMockCluster(nint handle);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    private static partial nint ClusterBootstraps(nint cluster);

    /// <summary>What the broker advertises in metadata (the listener itself stays where it is).</summary>
    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_host_port", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void SetAdvertised(nint cluster, int brokerId, string host, int port);

    /// <summary>Disconnects the broker (-1: every broker) and refuses new connections; its data stays.</summary>
    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static partial int SetDown(nint cluster, int brokerId);

    /// <summary>Lets the broker (-1: every broker) accept connections again.</summary>
    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static partial int SetUp(nint cluster, int brokerId);
}
