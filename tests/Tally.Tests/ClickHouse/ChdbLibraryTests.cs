using Tally.ClickHouse;
using Tally.ClickHouse.Embedded;
using Xunit;

namespace Tally.Tests.ClickHouse;

public sealed class ChdbLibraryTests
{
    [Fact]
    public void Load_MissingLibrary_ThrowsWithInstallInstructions()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "libchdb.so");

        var ex = Assert.Throws<FileNotFoundException>(() => ChdbLibrary.Load(missing));

        Assert.Contains("eng/fetch-chdb.sh", ex.Message, StringComparison.Ordinal);
        Assert.Contains("./tally", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseCode_ChdbMessage_ReturnsNumericCode()
    {
        var code = ClickHouseQueryException.ParseCode("Code: 60. DB::Exception: Unknown table expression identifier 'x'. (UNKNOWN_TABLE)");

        Assert.Equal(60, code);
    }

    [Fact]
    public void ReadOrCreatePassword_FirstAndSecondCall_SameOwnerOnlySecret()
    {
        var path = Path.Combine(Path.GetTempPath(), "tally-secret-" + Guid.NewGuid().ToString("N"), "clickhouse.secret");
        try
        {
            var first = EmbeddedClickHouseSecret.ReadOrCreate(path);
            var second = EmbeddedClickHouseSecret.ReadOrCreate(path);

            Assert.Equal(64, first.Length);
            Assert.Equal(first, second);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
