using Microsoft.Extensions.Options;
using Tally.ServiceDefaults;

namespace Tally.Tests.Http;

public sealed class AdminTokenTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-admin-").FullName;

    [Fact]
    public void Constructor_NoConfiguredToken_GeneratesOnceKeepsItPrivateAndReusesIt()
    {
        var first = new AdminToken(Options.Create(new AdminTokenOptions()), new TallyPaths(_dataDir));
        var second = new AdminToken(Options.Create(new AdminTokenOptions()), new TallyPaths(_dataDir));

        Assert.True(first.WasGenerated);
        Assert.False(second.WasGenerated);
        Assert.Equal(first.Value, second.Value);
        Assert.StartsWith("tadm_", first.Value, StringComparison.Ordinal);
        Assert.Equal(48, first.Value.Length);
        var file = Path.Combine(_dataDir, "admin-token");
        Assert.Equal(first.Value, File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public void Constructor_ConfiguredToken_WinsAndWritesNothing()
    {
        var token = new AdminToken(Options.Create(new AdminTokenOptions { Token = "from-config" }), new TallyPaths(_dataDir));

        Assert.Equal("from-config", token.Value);
        Assert.False(token.WasGenerated);
        Assert.False(File.Exists(Path.Combine(_dataDir, "admin-token")));
    }

    [Theory]
    [InlineData("from-config", true)]
    [InlineData("from-confiG", false)]
    [InlineData("from-config ", false)]
    [InlineData("", false)]
    public void Matches_ComparesExactly(string candidate, bool expected)
    {
        var token = new AdminToken(Options.Create(new AdminTokenOptions { Token = "from-config" }), new TallyPaths(_dataDir));

        Assert.Equal(expected, token.Matches(candidate));
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
