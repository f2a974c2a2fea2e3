using System.Collections;
using System.Net.Http.Json;
using GreyOS.Abstractions.Identity;
using GreyOS.Client;
using GreyOS.Protocol;
using GreyOS.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GreyOS.Testing;

/// <summary>Options of a <see cref="TestNode"/>.</summary>
public sealed class TestNodeOptions
{
    /// <summary>Reuse this data folder (e.g. to test restarts); default: a fresh temp folder owned by the node.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Sets <c>GREYOS_ADMIN_PASSWORD</c> for this node's first boot.</summary>
    public string? AdminPassword { get; init; }

    /// <summary>Extra environment variables the node sees instead of the process environment.</summary>
    public IDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Extra command-line flags.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];
}

/// <summary>
/// A real GreyOS node, in this process, listening on a random 127.0.0.1 port with its own data
/// folder. Talk to it over real HTTP through <see cref="Http"/> or any client.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    /// <summary>A password that satisfies the password policy.</summary>
    public const string DefaultAdminPassword = "correct-horse-battery";

    private readonly TempDirectory? _ownedData;

    private TestNode(WebApplication app, Uri baseAddress, string dataDirectory, TempDirectory? ownedData)
    {
        App = app;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        _ownedData = ownedData;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    /// <summary>An HTTP client with <see cref="BaseAddress"/> set and no credentials.</summary>
    public HttpClient Http { get; }

    /// <summary>The one-time setup code this start issued, or null when the admin has a password.</summary>
    public string? SetupCode => App.Services.GetRequiredService<IAdminSetup>().IssuedCode;

    /// <summary>The instance DID.</summary>
    public string InstanceDid => App.Services.GetRequiredService<IInstanceIdentity>().Did;

    public static async Task<TestNode> StartAsync(TestNodeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TestNodeOptions();
        var owned = options.DataDirectory is null ? new TempDirectory("greyos-node") : null;
        var data = options.DataDirectory ?? System.IO.Path.Combine(owned!.Path, "data");
        var environment = new Hashtable();
        foreach (var (key, value) in options.Environment)
        {
            environment[key] = value;
        }

        if (options.AdminPassword is not null)
        {
            environment["GREYOS_ADMIN_PASSWORD"] = options.AdminPassword;
        }

        string[] args = ["--urls", "http://127.0.0.1:0", "--data", data, .. options.Args];
        // Quiet by default: test output shows warnings and errors of the node, not its info lines.
        var app = await NodeHost.BuildAsync(
            args,
            environment,
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning", ["Logging:LogLevel:GreyOS"] = "Warning" }),
            cancellationToken).ConfigureAwait(false);
        await NodeHost.StartAsync(app, cancellationToken).ConfigureAwait(false);
        var address = NodeHost.ListeningAddresses(app)[0];
        return new TestNode(app, new Uri(address), data, owned);
    }

    /// <summary>Logs in with a new device key and returns an HTTP client that signs every request with it.</summary>
    public async Task<HttpClient> LoginAsync(string userName = "admin", string password = DefaultAdminPassword, CancellationToken cancellationToken = default) =>
        (await LoginDeviceAsync(userName, password, cancellationToken).ConfigureAwait(false)).Http;

    /// <summary>Logs in with a new device key: the signing HTTP client and the credential (session id, device id, key).</summary>
    public async Task<(HttpClient Http, DeviceCredential Credential)> LoginDeviceAsync(string userName = "admin", string password = DefaultAdminPassword, CancellationToken cancellationToken = default)
    {
        var key = DeviceCredential.Generate();
        var request = new LoginRequest(userName, password, new DeviceKey($"test-{Guid.NewGuid():N}", key.Did));
        var response = await Http.PostAsJsonAsync("/api/v1/auth/login", request, ProtocolJsonContext.Default.LoginRequest, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var login = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.LoginResponse, cancellationToken).ConfigureAwait(false);
        var credential = key.WithSession(login!.Session.SessionId, login.Device?.Id);
        return (SignedClient(credential), credential);
    }

    /// <summary>An HTTP client for this node that signs every request with <paramref name="credential"/>.</summary>
    public HttpClient SignedClient(DeviceCredential credential) =>
        new(new SigningHandler(credential)) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _ownedData?.Dispose();
    }
}
