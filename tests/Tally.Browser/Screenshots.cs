using Microsoft.Playwright;

namespace Tally.Browser;

/// <summary>
/// Where the tests put their screenshots: <c>TALLY_SCREENSHOTS_DIR</c>, or <c>.tally/test-results/screenshots</c>
/// in the repository. The README shows the copies committed under docs/screenshots
/// (<c>TALLY_SCREENSHOTS_DIR=docs/screenshots ./tally test</c> refreshes them).
/// </summary>
public static class Screenshots
{
    public static string Directory { get; } = Find();

    public static async Task TakeAsync(IPage page, string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Directory, name), FullPage = true, Animations = ScreenshotAnimations.Disabled });
    }

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("TALLY_SCREENSHOTS_DIR") is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tally.slnx")))
            {
                return Path.Combine(directory.FullName, ".tally", "test-results", "screenshots");
            }
        }

        return Path.Combine(Path.GetTempPath(), "tally-screenshots");
    }
}
