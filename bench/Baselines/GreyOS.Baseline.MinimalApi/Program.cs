// The baseline the node's HTTP numbers are measured against: a bare ASP.NET Core minimal app,
// no middleware, source-generated JSON, the same logging settings as the node (appsettings.json),
// the same routes and a response of the same shape and size as GET /api/v1/health; with
// GREYOS_BASELINE_STATIC=FOLDER it also serves that folder's files under /static (static-file middleware).
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using GreyOS.Baseline.MinimalApi;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var started = Stopwatch.GetTimestamp();
var startedAt = DateTimeOffset.UtcNow;
var version = typeof(BaselineJsonContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

// Args carries --urls (Kestrel's own command-line key); the content root is the binary's folder, like the node's.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, BaselineJsonContext.Default));

var app = builder.Build();

// The VFS download benchmark's baseline: ASP.NET Core static files from a folder, under /static.
if (Environment.GetEnvironmentVariable("GREYOS_BASELINE_STATIC") is { Length: > 0 } staticFolder)
{
    app.UseStaticFiles(new StaticFileOptions
    {
        FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(staticFolder),
        RequestPath = "/static",
        ServeUnknownFileTypes = true,
    });
}

var api = app.MapGroup("/api/v1");
api.MapGet("/health", () => TypedResults.Ok(new HealthResponse(
    "ok", version, BaselineIdentity.Did, startedAt, Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 3), false)));
api.MapGet("/ready", () => TypedResults.Ok(new ReadyResponse("ready")));

await app.StartAsync().ConfigureAwait(false);
var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
Console.WriteLine($"GreyOS baseline minimal app listening on {string.Join(", ", addresses)}");
await Console.Out.FlushAsync().ConfigureAwait(false);
await app.WaitForShutdownAsync().ConfigureAwait(false);
return 0;

namespace GreyOS.Baseline.MinimalApi
{
    /// <summary>Same fields as the node's health response.</summary>
    internal sealed record HealthResponse(string Status, string Version, string Instance, DateTimeOffset StartedAt, double UptimeSeconds, bool SetupPending);

    /// <summary>Same body as the node's readiness response.</summary>
    internal sealed record ReadyResponse(string Status);

    /// <summary>A fixed did:key of the same length as a node's instance DID (the baseline has no key pair).</summary>
    internal static class BaselineIdentity
    {
        public const string Did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
    }

    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(HealthResponse))]
    [JsonSerializable(typeof(ReadyResponse))]
    internal sealed partial class BaselineJsonContext : JsonSerializerContext;
}
