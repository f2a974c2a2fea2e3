using GreyOS.Hosting;
using GreyOS.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GreyOS.Web.E2ETests;

public sealed class StatusPageTests(BrowserFixture browser)
{
    [Fact]
    public async Task StatusPage_SetupPending_ShowsOkVersionInstanceAndSetupHint()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);
        await using var tab = await browser.NewPageAsync(node.BaseAddress);
        var page = tab.Page;

        var response = await page.GotoAsync("/");

        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        await Expect(page).ToHaveTitleAsync("GreyOS");
        await Expect(page.Locator("#health")).ToHaveTextAsync("ok");
        await Expect(page.Locator("#version")).ToHaveTextAsync(NodeInfo.Version);
        await Expect(page.Locator("#instance")).ToHaveTextAsync(node.InstanceDid);
        await Expect(page.Locator("#uptime")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ s$"));
        var hint = page.Locator("#setup-hint");
        await Expect(hint).ToBeVisibleAsync();
        await Expect(hint.GetByRole(AriaRole.Link, new() { Name = "finish setup" })).ToHaveAttributeAsync("href", "/setup");
        Assert.StartsWith("did:key:z6Mk", node.InstanceDid, StringComparison.Ordinal);
        await tab.ScreenshotAsync("status-setup-pending", share: true);
        tab.AssertNoProblems(BrowserPage.IsImplicitFaviconRequest);
    }
}
