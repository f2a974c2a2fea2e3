using Microsoft.Playwright;

namespace GreyOS.Web.E2ETests;

/// <summary>
/// A page in its own browser context that records what should never happen on a healthy page:
/// console errors (including CSP violations), uncaught exceptions and failed requests.
/// </summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _problems = [];
    private readonly Lock _gate = new();

    internal BrowserPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Record($"console error: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => Record($"uncaught error: {error}");
        page.RequestFailed += (_, request) =>
        {
            // A navigation may abort a poll in flight; that is the browser's doing, not the page's.
            if (request.Failure != "net::ERR_ABORTED")
            {
                Record($"request failed: {request.Method} {request.Url}: {request.Failure}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Everything recorded so far.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_gate)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>
    /// The browser's own request for <c>/favicon.ico</c> when a page declares no icon (the node
    /// answers 401 there). Tests of what a page does ignore it; the hygiene test does not.
    /// </summary>
    public static bool IsImplicitFaviconRequest(string problem) =>
        problem.StartsWith("console error: Failed to load resource:", StringComparison.Ordinal)
        && problem.Contains("/favicon.ico:", StringComparison.Ordinal);

    /// <summary>Asserts nothing was recorded, except lines matching <paramref name="expected"/>.</summary>
    public void AssertNoProblems(Func<string, bool>? expected = null)
    {
        var unexpected = Problems.Where(problem => expected is null || !expected(problem)).ToList();
        Assert.True(unexpected.Count == 0, "The page reported problems:\n" + string.Join('\n', unexpected));
    }

    /// <summary>Saves a full-page screenshot in the test output folder and, if asked, copies it for people to look at.</summary>
    public async Task<string> ScreenshotAsync(string name, bool share = false)
    {
        var path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        if (share)
        {
            Directory.CreateDirectory(BrowserFixture.SharedScreenshotDirectory);
            File.Copy(path, Path.Combine(BrowserFixture.SharedScreenshotDirectory, name + ".png"), overwrite: true);
        }

        return path;
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    private void Record(string problem)
    {
        lock (_gate)
        {
            _problems.Add(problem);
        }
    }
}
