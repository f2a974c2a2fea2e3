using GreyOS.Testing;
using static Microsoft.Playwright.Assertions;

namespace GreyOS.Web.E2ETests;

public sealed class SignInTests(BrowserFixture browser)
{
    [Fact]
    public async Task StatusPage_SignInWithPassword_CookieSessionThenSignOut()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        await using var tab = await browser.NewPageAsync(node.BaseAddress);
        var page = tab.Page;

        await page.GotoAsync("/");
        await Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await page.Locator("#user").FillAsync("admin");
        await page.Locator("#password").FillAsync("not-the-password");
        await page.Locator("#sign-in-button").ClickAsync();
        await Expect(page.Locator("#message")).ToHaveTextAsync("the user name or password is wrong");

        await page.Locator("#password").FillAsync(TestNode.DefaultAdminPassword);
        await page.Locator("#sign-in-button").ClickAsync();
        await Expect(page.Locator("#who")).ToHaveTextAsync("admin");
        await Expect(page.Locator("#roles")).ToHaveTextAsync("(admin)");
        var cookies = await page.Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "greyos_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(Microsoft.Playwright.SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal(string.Empty, await page.EvaluateAsync<string>("document.cookie"));
        await tab.ScreenshotAsync("signed-in", share: true);

        // A reload keeps the session (cookie), and the CSRF token comes back from the session endpoint.
        await page.ReloadAsync();
        await Expect(page.Locator("#who")).ToHaveTextAsync("admin");

        await page.Locator("#sign-out").ClickAsync();
        await Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await Expect(page.Locator("#message")).ToHaveTextAsync("Signed out.");
        await page.ReloadAsync();
        await Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        tab.AssertNoProblems(problem => BrowserPage.IsImplicitFaviconRequest(problem)
            || (problem.Contains("status of 401", StringComparison.Ordinal) && problem.Contains("/api/v1/auth/login", StringComparison.Ordinal)));
    }
}
