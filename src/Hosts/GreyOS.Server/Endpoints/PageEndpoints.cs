using Microsoft.Extensions.FileProviders;

namespace GreyOS.Server.Endpoints;

/// <summary>Friendly routes for the built-in pages (served from the embedded <c>Site/</c> folder).</summary>
internal static class PageEndpoints
{
    public static WebApplication MapPageRoutes(this WebApplication app)
    {
        var site = new ManifestEmbeddedFileProvider(typeof(PageEndpoints).Assembly, "Site");
        app.MapGet("/", () => Page(site, "index.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/setup", () => Page(site, "setup.html")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static FileStreamHttpResult Page(ManifestEmbeddedFileProvider site, string name)
    {
        var file = site.GetFileInfo(name);
        return TypedResults.Stream(file.CreateReadStream(), "text/html; charset=utf-8", lastModified: file.LastModified);
    }
}
