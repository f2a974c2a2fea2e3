using GreyOS.Web.E2ETests;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(BrowserFixture))]

namespace GreyOS.Web.E2ETests;

/// <summary>
/// One headless Chromium for the whole test assembly (launching is the slow part); each test gets
/// its own browser context, so cookies and storage never leak between tests.
/// </summary>
/// <remarks>
/// The browser is Debian's <c>chromium</c> package, never one downloaded by <c>playwright install</c>.
/// A missing binary fails every test with a message saying what to install: CI must not pass
/// without having run them.
/// </remarks>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Where Debian's <c>chromium</c> package puts the browser.</summary>
    public const string DefaultChromiumPath = "/usr/bin/chromium";

    /// <summary>Overrides <see cref="DefaultChromiumPath"/> (e.g. a developer machine with chromium elsewhere).</summary>
    public const string ChromiumPathVariable = "GREYOS_CHROMIUM";

    private static readonly string[] LaunchArgs =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>Folder of this run's screenshots (in the test output folder).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Folder where a few screenshots are copied for people to look at.</summary>
    public const string SharedScreenshotDirectory = "/tmp/greyos-screenshots";

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable(ChromiumPathVariable) is { Length: > 0 } path ? path : DefaultChromiumPath;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser fixture is not initialised.");

    public async ValueTask InitializeAsync()
    {
        var path = ChromiumPath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The web e2e tests need Chromium at {path}, and it is missing. Install Debian's browser with "
                + "`apt-get install chromium` (never `playwright install`), or set "
                + $"{ChromiumPathVariable} to a chromium binary.");
        }

        Directory.CreateDirectory(ScreenshotDirectory);
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = LaunchArgs,
            Timeout = 60_000,
        });
    }

    /// <summary>Opens a page in a fresh context whose relative URLs resolve against <paramref name="baseAddress"/>.</summary>
    public async Task<BrowserPage> NewPageAsync(Uri baseAddress)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            Locale = "en-US",
            ViewportSize = new ViewportSize { Width = 1024, Height = 720 },
        });
        try
        {
            context.SetDefaultTimeout(30_000);
            // Chromium logs CSP violations to the console already; this makes them visible even
            // if that log line ever changes level or wording.
            await context.AddInitScriptAsync(
                "document.addEventListener('securitypolicyviolation', e => "
                + "console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));");
            var page = await context.NewPageAsync();
            return new BrowserPage(context, page);
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
