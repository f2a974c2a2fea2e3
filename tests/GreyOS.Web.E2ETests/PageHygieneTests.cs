using GreyOS.Testing;
using static Microsoft.Playwright.Assertions;

namespace GreyOS.Web.E2ETests;

public sealed class PageHygieneTests(BrowserFixture browser)
{
    [Fact]
    public async Task Pages_LoadedAndUsed_NoConsoleErrorsOrCspViolations()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);
        await using var tab = await browser.NewPageAsync(node.BaseAddress);
        var page = tab.Page;

        await page.GotoAsync("/");
        await Expect(page.Locator("#health")).ToHaveTextAsync("ok");
        await page.Locator("#setup-hint a").ClickAsync();
        await Expect(page).ToHaveTitleAsync("GreyOS setup");
        await page.Locator("#code").FillAsync(node.SetupCode!);
        await page.Locator("#password").FillAsync(TestNode.DefaultAdminPassword);
        await page.Locator("#confirm").FillAsync(TestNode.DefaultAdminPassword);
        await page.Locator("#submit").ClickAsync();
        await Expect(page.Locator("#message")).ToHaveClassAsync("message ok");
        await page.GotoAsync("/");
        await Expect(page.Locator("#setup-hint")).ToBeHiddenAsync();

        tab.AssertNoProblems();
    }

    [Fact]
    public async Task BrowserPage_InlineScriptBlockedByCsp_RecordsViolation()
    {
        // The check above is only worth something if a violation would be seen: serve a page
        // whose policy forbids its own inline script, without any node.
        await using var tab = await browser.NewPageAsync(new Uri("http://csp-probe.invalid/"));
        await tab.Page.RouteAsync("http://csp-probe.invalid/**", route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "text/html; charset=utf-8",
            Headers = new Dictionary<string, string> { ["Content-Security-Policy"] = "default-src 'self'" },
            Body = "<!doctype html><title>probe</title><script>document.title = 'ran';</script>",
        }));

        await tab.Page.GotoAsync("/");

        await Expect(tab.Page).ToHaveTitleAsync("probe");
        // The violation report is asynchronous: give it a moment.
        for (var i = 0; i < 50 && !tab.Problems.Any(IsCspViolation); i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Contains(tab.Problems, IsCspViolation);
    }

    private static bool IsCspViolation(string problem) =>
        problem.Contains("CSP violation", StringComparison.Ordinal) || problem.Contains("Content Security Policy", StringComparison.Ordinal);
}
