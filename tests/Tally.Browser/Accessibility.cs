using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Tally.Browser;

/// <summary>axe-core on a page as it stands: every violation is written to the test output, a serious or critical one fails the test.</summary>
public static class Accessibility
{
    public static async Task AssertAsync(IPage page, string name, ITestOutputHelper output)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        foreach (var violation in result.Violations)
        {
            output.WriteLine($"axe {name}: {violation.Impact} {violation.Id}: {violation.Help} ({string.Join("; ", violation.Nodes.Select(n => n.Html))})");
        }

        Assert.True(serious.Count == 0, $"{name}: {string.Join(", ", serious.Select(v => v.Id))}");
    }

    /// <summary>Signs in at <paramref name="path"/> with a tenant API key, the way a person does.</summary>
    public static async Task SignInAsync(IPage page, string key, string path = "/")
    {
        await page.GotoAsync(path);
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
