using System.Net;
using System.Net.Http.Json;
using GreyOS.Protocol;
using GreyOS.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GreyOS.Web.E2ETests;

public sealed class SetupPageTests(BrowserFixture browser)
{
    private const string Password = "a-fine-long-password-1";

    /// <summary>Well formed, and not the code any node issued.</summary>
    private const string WrongCode = "AAAAA-AAAAA-AAAAA-AAAAA";

    [Fact]
    public async Task SetupPage_CodeInFragment_PrefillsCodeDropsFragmentAndSetsPassword()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);
        await using var tab = await browser.NewPageAsync(node.BaseAddress);
        var page = tab.Page;
        var code = node.SetupCode;
        Assert.NotNull(code);

        await page.GotoAsync("/setup#code=" + code);

        await Expect(page).ToHaveTitleAsync("GreyOS setup");
        await Expect(page.Locator("#code")).ToHaveValueAsync(code);
        await Expect(page).ToHaveURLAsync(new Uri(node.BaseAddress, "/setup").ToString());
        Assert.Equal(string.Empty, await page.EvaluateAsync<string>("location.hash"));
        await tab.ScreenshotAsync("setup-prefilled");

        await page.Locator("#password").FillAsync(Password);
        await page.Locator("#confirm").FillAsync(Password);
        var setup = await page.RunAndWaitForResponseAsync(() => page.Locator("#submit").ClickAsync(), IsSetupCall);

        Assert.Equal(200, setup.Status);
        var message = page.Locator("#message");
        await Expect(message).ToHaveTextAsync("Done: 'admin' can now log in (greyos login).");
        await Expect(message).ToHaveClassAsync("message ok");
        await Expect(page.Locator("#setup-form")).ToBeHiddenAsync();
        await tab.ScreenshotAsync("setup-done", share: true);

        using var session = await node.LoginAsync(password: Password, cancellationToken: ct);
        var info = await session.GetFromJsonAsync("/api/v1/auth/session", ProtocolJsonContext.Default.SessionInfo, ct);
        Assert.Equal("admin", info!.UserName);
        Assert.False((await NodeHealth.GetAsync(node, ct)).SetupPending);

        // Back on the status page, the setup hint is gone.
        await page.GotoAsync("/");
        await Expect(page.Locator("#health")).ToHaveTextAsync("ok");
        await Expect(page.Locator("#setup-hint")).ToBeHiddenAsync();
        await tab.ScreenshotAsync("status-after-setup");
        tab.AssertNoProblems(BrowserPage.IsImplicitFaviconRequest);
    }

    [Fact]
    public async Task SetupPage_WrongCode_ShowsServerDetailAndAdminStaysWithoutPassword()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);
        await using var tab = await browser.NewPageAsync(node.BaseAddress);
        var page = tab.Page;
        await page.GotoAsync("/setup");

        await page.Locator("#code").FillAsync(WrongCode);
        await page.Locator("#password").FillAsync(Password);
        await page.Locator("#confirm").FillAsync(Password);
        var setup = await page.RunAndWaitForResponseAsync(() => page.Locator("#submit").ClickAsync(), IsSetupCall);

        Assert.Equal((int)HttpStatusCode.Forbidden, setup.Status);
        var problem = await setup.JsonAsync();
        Assert.Equal("setup_code_invalid", problem?.GetProperty("code").GetString());
        var detail = problem?.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        var message = page.Locator("#message");
        await Expect(message).ToHaveTextAsync(detail);
        await Expect(message).ToHaveClassAsync("message error");
        await Expect(page.Locator("#setup-form")).ToBeVisibleAsync();
        await tab.ScreenshotAsync("setup-wrong-code");

        Assert.True((await NodeHealth.GetAsync(node, ct)).SetupPending);
        Assert.NotNull(node.SetupCode);
        var login = await node.Http.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("admin", Password), ProtocolJsonContext.Default.LoginRequest, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        // Chromium itself logs the refused fetch; that line is expected, nothing else is.
        tab.AssertNoProblems(problem => IsRefusedFetchLog(problem) || BrowserPage.IsImplicitFaviconRequest(problem));
    }

    [Fact]
    public async Task SetupPage_PasswordsDiffer_ShowsMessageAndSendsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);
        await using var tab = await browser.NewPageAsync(node.BaseAddress);
        var page = tab.Page;
        var sent = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/", StringComparison.Ordinal))
            {
                lock (sent)
                {
                    sent.Add(request.Method + " " + request.Url);
                }
            }
        };
        await page.GotoAsync("/setup#code=" + node.SetupCode);

        await page.Locator("#password").FillAsync(Password);
        await page.Locator("#confirm").FillAsync(Password + "x");
        await page.Locator("#submit").ClickAsync();

        var message = page.Locator("#message");
        await Expect(message).ToHaveTextAsync("The two passwords differ.");
        await Expect(message).ToHaveClassAsync("message error");
        await Expect(page.Locator("#setup-form")).ToBeVisibleAsync();
        await tab.ScreenshotAsync("setup-passwords-differ");
        lock (sent)
        {
            Assert.Empty(sent);
        }

        Assert.True((await NodeHealth.GetAsync(node, ct)).SetupPending);
        Assert.NotNull(node.SetupCode);
        tab.AssertNoProblems(BrowserPage.IsImplicitFaviconRequest);
    }

    [Fact]
    public async Task SetupPage_SubmitDoubleClicked_SpendsCodeOnceAndShowsSuccess()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);
        await using var tab = await browser.NewPageAsync(node.BaseAddress);
        var page = tab.Page;
        var sent = 0;
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && new Uri(request.Url).AbsolutePath == "/api/v1/setup")
            {
                Interlocked.Increment(ref sent);
            }
        };
        await page.GotoAsync("/setup#code=" + node.SetupCode);
        await page.Locator("#password").FillAsync(Password);
        await page.Locator("#confirm").FillAsync(Password);

        await page.Locator("#submit").DblClickAsync();

        var message = page.Locator("#message");
        await Expect(message).ToHaveClassAsync("message ok");
        // A second request would have been sent before the first answer came back; give a
        // stray answer time to overwrite the message, then check it did not.
        await Task.Delay(500, ct);
        Assert.Equal(1, Volatile.Read(ref sent));
        await Expect(message).ToHaveTextAsync("Done: 'admin' can now log in (greyos login).");
        using var session = await node.LoginAsync(password: Password, cancellationToken: ct);
        tab.AssertNoProblems(BrowserPage.IsImplicitFaviconRequest);
    }

    private static bool IsSetupCall(IResponse response) =>
        response.Request.Method == "POST" && new Uri(response.Url).AbsolutePath == "/api/v1/setup";

    private static bool IsRefusedFetchLog(string problem) =>
        problem.StartsWith("console error: Failed to load resource: the server responded with a status of 403", StringComparison.Ordinal);
}
