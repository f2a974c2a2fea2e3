using System.Collections;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Node;
using GreyOS.Hosting;
using GreyOS.Hosting.Configuration;
using GreyOS.Hosting.Startup;
using GreyOS.Protocol;
using GreyOS.Server.Dav;
using GreyOS.Server.Endpoints;
using GreyOS.Server.Http;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.FileProviders;

namespace GreyOS.Server;

/// <summary>Builds, starts and runs a GreyOS node (also used in-process by the integration tests).</summary>
public static class NodeHost
{
    /// <summary>Exit code for a node that could not start (configuration, data folder, database, port).</summary>
    public const int ExitStartupFailed = 1;

    /// <summary>Exit code for bad command-line usage.</summary>
    public const int ExitUsage = 2;

    /// <summary>
    /// Validates configuration, composes the services, runs the start-up steps (data folder,
    /// migrations, identity, setup) and returns the node, ready to start listening.
    /// </summary>
    public static async Task<WebApplication> BuildAsync(
        IReadOnlyList<string> args,
        IDictionary? environment = null,
        Action<WebApplicationBuilder>? configure = null,
        CancellationToken cancellationToken = default)
    {
        var arguments = NodeArguments.Parse(args);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(NodeHost).Assembly.GetName().Name,
        });
        NodeConfiguration.AddNodeSources(builder.Configuration, arguments, environment);
        configure?.Invoke(builder);

        // A failure to start (e.g. port in use) is reported once, as one line, by RunAsync; the
        // generic host would also log it with a stack trace, so that one record is filtered out.
        var started = new StrongBox<bool>();
        builder.Services.AddSingleton(new StartupState(started));
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Warning && (started.Value || level < LogLevel.Error));

        var options = builder.Services.AddGreyOSNode(builder.Configuration, environment);
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJsonContext.Default));
        builder.Services.AddGreyOSHttp(options.CredentialRequestsPerMinute);
        builder.Services.AddOpenApi("v1", openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "GreyOS API";
            document.Info.Version = NodeInfo.Version;
            document.Info.Description = "The HTTP API of a GreyOS node. Errors are RFC 9457 problem details with a stable 'code'. "
                + "Authentication: RFC 9421 signed requests (device sessions) or the session cookie plus X-CSRF-Token (browsers). "
                + "x-greyos-anonymous: no session needed; x-greyos-permission: the permission needed; x-greyos-step-up: a fresh proof is needed.";
            return Task.CompletedTask;
        }).AddOperationTransformer(OpenApiSecurity.DescribeAsync));
        // Keys for cookies and tokens protected by ASP.NET Core live with the rest of the instance's secrets.
        builder.Services.AddDataProtection()
            .SetApplicationName("GreyOS")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.DataDirectory!, "protection-keys")));

        var app = builder.Build();
        app.UseGreyOSHttp();
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new ManifestEmbeddedFileProvider(typeof(NodeHost).Assembly, "Site") });
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var api = app.MapGroup("/api/v1");
        api.MapHealthEndpoints();
        api.MapSetupEndpoints();
        api.MapAuthEndpoints();
        api.MapProcessEndpoints();
        api.MapUserEndpoints();
        api.MapGroupEndpoints();
        api.MapRoleEndpoints();
        api.MapDeviceEndpoints();
        api.MapSessionEndpoints();
        api.MapAuditEndpoints();
        api.MapAppPasswordEndpoints();
        api.MapFileEndpoints();
        api.MapFileRecoveryEndpoints();
        api.MapShareEndpoints();
        api.MapUploadEndpoints();
        app.MapDav();
        app.MapPageRoutes();

        var info = app.Services.GetRequiredService<NodeInfo>();
        app.Lifetime.ApplicationStopping.Register(info.MarkStopping);

        await NodeStartup.InitializeAsync(app.Services, cancellationToken).ConfigureAwait(false);
        return app;
    }

    /// <summary>Starts listening; a port in use or a refused address becomes a <see cref="NodeStartupException"/>.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            app.Services.GetRequiredService<StartupState>().Started.Value = true;
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            var urls = app.Services.GetRequiredService<GreyOSOptions>().Urls;
            var reason = ex.InnerException?.Message ?? ex.Message;
            throw new NodeStartupException($"cannot listen on {urls}: {reason.TrimEnd('.')}; stop the other program or choose another address with --urls or GREYOS_URLS", ex);
        }
    }

    /// <summary>The addresses the node actually listens on (port 0 resolved).</summary>
    public static IReadOnlyList<string> ListeningAddresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
    }

    /// <summary>The node's <c>Main</c>: runs until SIGTERM/SIGINT; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        NodeArguments arguments;
        try
        {
            arguments = NodeArguments.Parse(args);
        }
        catch (NodeStartupException ex)
        {
            await error.WriteLineAsync($"greyos-server: {ex.Message}").ConfigureAwait(false);
            return ExitUsage;
        }

        if (arguments.Help)
        {
            await output.WriteLineAsync(NodeArguments.Usage).ConfigureAwait(false);
            return 0;
        }

        if (arguments.Version)
        {
            await output.WriteLineAsync($"GreyOS {NodeInfo.Version}").ConfigureAwait(false);
            return 0;
        }

        WebApplication? app = null;
        try
        {
            app = await BuildAsync(args).ConfigureAwait(false);
            await StartAsync(app).ConfigureAwait(false);
            await AnnounceAsync(app, output).ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
            return 0;
        }
        catch (NodeStartupException ex)
        {
            await error.WriteLineAsync($"greyos-server: error: {ex.Message}").ConfigureAwait(false);
            return ExitStartupFailed;
        }
        finally
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed record StartupState(StrongBox<bool> Started);

    private static async Task AnnounceAsync(WebApplication app, TextWriter output)
    {
        var addresses = ListeningAddresses(app);
        var primary = addresses.Count > 0 ? addresses[0] : "(unknown)";
        var identity = app.Services.GetRequiredService<IInstanceIdentity>();
        var data = app.Services.GetRequiredService<DataDirectory>();
        var lines = new List<string>
        {
            $"GreyOS {NodeInfo.Version} node listening on {string.Join(", ", addresses)}",
            $"  instance  {identity.Did}",
            $"  data      {data.Path}",
        };

        // The setup code is written here, for the operator, and never through the logging pipeline.
        if (app.Services.GetRequiredService<IAdminSetup>().IssuedCode is { } code)
        {
            lines.Add("  setup     the administrator 'admin' has no password yet; set it once with either:");
            lines.Add($"              {primary}/setup#code={code}");
            lines.Add($"              greyos setup --node {primary} --code {code}");
        }

        foreach (var line in lines)
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        await output.FlushAsync().ConfigureAwait(false);
    }
}
