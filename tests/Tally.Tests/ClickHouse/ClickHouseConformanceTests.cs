using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.ClickHouse;
using Xunit;

namespace Tally.Tests.ClickHouse;

/// <summary>
/// What Tally needs from ClickHouse, run unchanged against every transport: embedded chDB through the
/// HTTP endpoint and a ClickHouse server, both through <see cref="DriverClickHouse"/>.
/// </summary>
public abstract class ClickHouseConformanceTests : IDisposable
{
    private readonly Lazy<DriverClickHouse> client;

    protected ClickHouseConformanceTests() =>
        client = new Lazy<DriverClickHouse>(() => new DriverClickHouse(ConnectionString(Database), NullLogger<DriverClickHouse>.Instance));

    protected const string Database = "tally_conformance";

    /// <summary>Driver connection string of the transport under test; skips the test when it is absent.</summary>
    protected abstract string ConnectionString(string database, string? password = null);

    private DriverClickHouse Client => client.Value;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewTable(string prefix) => $"{prefix}_{Guid.NewGuid():N}";

    [Fact]
    public async Task QueryAsync_ReplacingMergeTreeWithFinal_ReturnsLatestVersionPerKey()
    {
        var table = NewTable("replacing");
        await Client.ExecuteAsync(
            $"CREATE TABLE {table} (id UInt32, label String, version UInt32) ENGINE = ReplacingMergeTree(version) ORDER BY id",
            null,
            Ct);
        await Client.ExecuteAsync($"INSERT INTO {table} VALUES (1, 'first', 1), (2, 'only', 1)", null, Ct);
        await Client.ExecuteAsync($"INSERT INTO {table} VALUES (1, 'second', 2)", null, Ct);

        var rows = await Client.QueryAsync(
            $"SELECT id, label FROM {table} FINAL ORDER BY id",
            null,
            r => (Convert.ToUInt32(r.GetValue(0), CultureInfo.InvariantCulture), r.GetString(1)),
            Ct);

        Assert.Equal([(1u, "second"), (2u, "only")], rows);
    }

    [Fact]
    public async Task QueryAsync_StringDateTime64UInt32Parameters_RoundTripExactly()
    {
        const string hostile = "O'Brien \\ \"quoted\" \\' ); DROP TABLE x; --\ttab";
        var at = new DateTimeOffset(2026, 11, 25, 12, 34, 56, 789, TimeSpan.Zero);
        var parameters = new Dictionary<string, object?> { ["s"] = hostile, ["t"] = at.UtcDateTime, ["n"] = 4_000_000_000u };

        var rows = await Client.QueryAsync(
            "SELECT {s:String}, toUnixTimestamp64Milli({t:DateTime64(3, 'UTC')}), {n:UInt32}, length({s:String})",
            parameters,
            r => (r.GetString(0), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture), Convert.ToUInt32(r.GetValue(2), CultureInfo.InvariantCulture), Convert.ToUInt64(r.GetValue(3), CultureInfo.InvariantCulture)),
            Ct);

        Assert.Equal([(hostile, at.ToUnixTimeMilliseconds(), 4_000_000_000u, (ulong)hostile.Length)], rows);
    }

    [Fact]
    public async Task ExecuteAsync_ParameterWithSqlInjection_IsStoredAsPlainValue()
    {
        var table = NewTable("params");
        await Client.ExecuteAsync($"CREATE TABLE {table} (name String) ENGINE = MergeTree ORDER BY name", null, Ct);
        const string hostile = "x'); DROP TABLE users; --\\";

        await Client.ExecuteAsync($"INSERT INTO {table} SELECT {{name:String}}", new Dictionary<string, object?> { ["name"] = hostile }, Ct);

        var rows = await Client.QueryAsync(
            $"SELECT count() FROM {table} WHERE name = {{name:String}}",
            new Dictionary<string, object?> { ["name"] = hostile },
            r => Convert.ToUInt64(r.GetValue(0), CultureInfo.InvariantCulture),
            Ct);
        Assert.Equal([1ul], rows);
    }

    [Fact]
    public async Task QueryAsync_TenThousandLongArrayValuesAndHugeString_ArriveWhole()
    {
        // 10,000 subjects of 100 characters (~1 MB) and one 100,000-character value: far past any URL limit.
        var subjects = Enumerable.Range(0, 10_000).Select(i => i.ToString("D100", CultureInfo.InvariantCulture)).ToArray();
        var huge = new string('x', 100_000);

        var rows = await Client.QueryAsync(
            "SELECT length({subjects:Array(String)}), arraySum(x -> length(x), {subjects:Array(String)}), length({huge:String})",
            new Dictionary<string, object?> { ["subjects"] = subjects, ["huge"] = huge },
            r => (Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture)),
            Ct);

        Assert.Equal([(10_000L, 1_000_000L, 100_000L)], rows);
    }

    [Fact]
    public async Task ExecuteAsync_JsonEachRowDecimal38_RoundTripsExactValues()
    {
        var table = NewTable("amounts");
        await Client.ExecuteAsync(
            $"CREATE TABLE {table} (id UInt32, amount Decimal(38, 9)) ENGINE = MergeTree ORDER BY id", null, Ct);

        await Client.ExecuteAsync(
            $"INSERT INTO {table} FORMAT JSONEachRow\n" +
            "{\"id\":1,\"amount\":\"12345678901234567890.123456789\"}\n" +
            "{\"id\":2,\"amount\":\"-0.000000001\"}\n" +
            "{\"id\":3,\"amount\":\"99999999999999999999999999999.999999999\"}\n",
            null,
            Ct);

        var rows = await Client.QueryAsync(
            $"SELECT id, toString(amount) FROM {table} ORDER BY id",
            null,
            r => (Convert.ToUInt32(r.GetValue(0), CultureInfo.InvariantCulture), r.GetString(1)),
            Ct);
        Assert.Equal(
            [(1u, "12345678901234567890.123456789"), (2u, "-0.000000001"), (3u, "99999999999999999999999999999.999999999")],
            rows);
    }

    [Fact]
    public async Task ExecuteAsync_SyntaxError_ThrowsClickHouseQueryExceptionWithCode62()
    {
        var ex = await Assert.ThrowsAsync<ClickHouseQueryException>(() => Client.ExecuteAsync("SELEC 1", null, Ct));

        Assert.Equal(62, ex.Code);
        Assert.Contains("Syntax error", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_UnknownTable_ThrowsClickHouseQueryExceptionWithCode60()
    {
        var ex = await Assert.ThrowsAsync<ClickHouseQueryException>(
            () => Client.QueryAsync("SELECT * FROM no_such_table_here", null, r => r.GetValue(0), Ct));

        Assert.Equal(60, ex.Code);
    }

    [Fact]
    public async Task ExecuteAsync_WrongPassword_ThrowsClickHouseQueryExceptionWithCode516()
    {
        using var intruder = new DriverClickHouse(ConnectionString(Database, "not-the-password"), NullLogger<DriverClickHouse>.Instance);

        var ex = await Assert.ThrowsAsync<ClickHouseQueryException>(() => intruder.ExecuteAsync("SELECT 1", null, Ct));

        Assert.Equal(516, ex.Code);
    }

    public void Dispose()
    {
        if (client.IsValueCreated)
        {
            client.Value.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}
