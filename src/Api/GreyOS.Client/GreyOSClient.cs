using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GreyOS.Protocol;

namespace GreyOS.Client;

/// <summary>
/// A typed client of one GreyOS node's HTTP API (<c>/api/v1</c>). Error responses become
/// <see cref="GreyOSApiException"/> (with the stable <c>code</c>); a node that cannot be reached
/// becomes <see cref="GreyOSConnectionException"/>.
/// </summary>
/// <remarks>
/// The client does not own the <see cref="HttpClient"/> it is given; its <see cref="HttpClient.BaseAddress"/> is the
/// node's address (a path prefix such as <c>https://example.org/greyos/</c> is kept). Requests are
/// signed per request with <see cref="Credential"/> (RFC 9421), so one <see cref="HttpClient"/> may
/// serve several clients.
/// </remarks>
public sealed partial class GreyOSClient
{
    /// <summary>The error code the client reports when a success response has a body it cannot read.</summary>
    public const string InvalidResponseCode = "invalid_response";

    /// <summary>The largest module the node accepts (64 MiB).</summary>
    public const long MaxModuleBytes = 64L * 1024 * 1024;

    /// <summary>The longest a single wait request may last on the node.</summary>
    public static readonly TimeSpan MaxWaitTimeout = TimeSpan.FromSeconds(60);

    private const string NotReadyCode = "not_ready";
    private const string ModuleNotFoundCode = "module_not_found";
    private const int MaxErrorBodyChars = 64 * 1024;

    /// <summary>Time a long request gets on top of what it waits for (a long poll's timeout, an upload's transfer).</summary>
    private static readonly TimeSpan LongRequestMargin = TimeSpan.FromSeconds(15);

    /// <summary>The slowest upload rate allowed for before a module upload counts as hung.</summary>
    private const double MinUploadBytesPerSecond = 256 * 1024;

    /// <summary>Connect timeout of an attach when neither <see cref="RequestTimeout"/> nor the HttpClient's timeout bounds it.</summary>
    private static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(30);

    private static readonly Uri HealthPath = new("api/v1/health", UriKind.Relative);
    private static readonly Uri ReadyPath = new("api/v1/ready", UriKind.Relative);
    private static readonly Uri SetupPath = new("api/v1/setup", UriKind.Relative);
    private static readonly Uri LoginPath = new("api/v1/auth/login", UriKind.Relative);
    private static readonly Uri SessionPath = new("api/v1/auth/session", UriKind.Relative);
    private static readonly Uri LogoutPath = new("api/v1/auth/logout", UriKind.Relative);
    private static readonly Uri ChallengePath = new("api/v1/auth/challenge", UriKind.Relative);
    private static readonly Uri KeyLoginPath = new("api/v1/auth/login/key", UriKind.Relative);
    private static readonly Uri SrpStartPath = new("api/v1/auth/srp/start", UriKind.Relative);
    private static readonly Uri SrpFinishPath = new("api/v1/auth/srp/finish", UriKind.Relative);
    private static readonly Uri StepUpPath = new("api/v1/auth/step-up", UriKind.Relative);
    private static readonly Uri ProcessesPath = new("api/v1/processes", UriKind.Relative);

    private readonly HttpClient _http;

    public GreyOSClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is not { IsAbsoluteUri: true } baseAddress)
        {
            throw new ArgumentException("the HttpClient needs an absolute BaseAddress (the node's URL)", nameof(http));
        }

        // Relative paths resolve against the last '/': keep a path prefix like /greyos as a folder.
        var prefix = baseAddress.GetLeftPart(UriPartial.Path);
        BaseAddress = new Uri(prefix.EndsWith('/') ? prefix : prefix + "/");
        _http = http;
    }

    /// <summary>The node's base address (always ending in <c>/</c>).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The device key and session every request is signed with; null sends no credentials.</summary>
    public DeviceCredential? Credential { get; set; }

    /// <summary>
    /// A time limit per request, applied by the client (null: none; only <see cref="HttpClient.Timeout"/> applies).
    /// Requests that wait on purpose get more: <see cref="WaitAsync"/> its wait, <see cref="PutModuleAsync"/>
    /// time for the transfer. With this set, give the <see cref="HttpClient"/> an infinite timeout.
    /// </summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary><c>GET /api/v1/health</c>: liveness, version, instance DID, uptime, setup state.</summary>
    public Task<HealthResponse> GetHealthAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, HealthPath, content: null, ProtocolJsonContext.Default.HealthResponse, cancellationToken);

    /// <summary>
    /// <c>GET /api/v1/ready</c>: <c>ready</c>, or <c>not_ready</c> while the node starts or stops
    /// (the 503 answer is returned as a value, not thrown).
    /// </summary>
    public async Task<ReadyResponse> GetReadyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await SendAsync(HttpMethod.Get, ReadyPath, content: null, ProtocolJsonContext.Default.ReadyResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (GreyOSApiException ex) when (ex.StatusCode == HttpStatusCode.ServiceUnavailable && ex.Code == NotReadyCode)
        {
            return new ReadyResponse(NotReadyCode);
        }
    }

    /// <summary><c>POST /api/v1/setup</c>: spends the one-time setup code to set the administrator's password.</summary>
    public Task<SetupResponse> CompleteSetupAsync(string code, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(password);
        var body = JsonContent.Create(new SetupRequest(code, password), ProtocolJsonContext.Default.SetupRequest);
        return SendAsync(HttpMethod.Post, SetupPath, body, ProtocolJsonContext.Default.SetupResponse, cancellationToken);
    }

    /// <summary>
    /// <c>POST /api/v1/auth/login</c> registering <paramref name="key"/> as a device named
    /// <paramref name="deviceName"/>: returns the key bound to its new device session (also set as
    /// <see cref="Credential"/>).
    /// </summary>
    public async Task<(LoginResponse Login, DeviceCredential Credential)> LoginAsync(
        string userName, string password, DeviceCredential key, string deviceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(key);
        var body = JsonContent.Create(new LoginRequest(userName, password, new DeviceKey(deviceName, key.Did)), ProtocolJsonContext.Default.LoginRequest);
        var login = await SendAsync(HttpMethod.Post, LoginPath, body, ProtocolJsonContext.Default.LoginResponse, cancellationToken).ConfigureAwait(false);
        Credential = key.WithSession(login.Session.SessionId, login.Device?.Id);
        return (login, Credential);
    }

    /// <summary>
    /// did:key login with an already registered device key: signs a fresh challenge and returns the
    /// key bound to the new session (also set as <see cref="Credential"/>).
    /// </summary>
    public async Task<(LoginResponse Login, DeviceCredential Credential)> LoginWithKeyAsync(DeviceCredential key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var challenge = await CreateChallengeAsync(cancellationToken).ConfigureAwait(false);
        var body = JsonContent.Create(new KeyLoginRequest(challenge.ChallengeId, key.Did, key.SignChallenge(challenge.NodeDid, challenge.Challenge)), ProtocolJsonContext.Default.KeyLoginRequest);
        var login = await SendAsync(HttpMethod.Post, KeyLoginPath, body, ProtocolJsonContext.Default.LoginResponse, cancellationToken).ConfigureAwait(false);
        Credential = key.WithSession(login.Session.SessionId, login.Session.DeviceId);
        return (login, Credential);
    }

    /// <summary>
    /// Zero-knowledge login (SRP-6a): the password never leaves this process. Registers
    /// <paramref name="key"/> as a device, checks the node's proof M2, and returns the key bound to the
    /// new session (also set as <see cref="Credential"/>). A node that cannot prove it knows the
    /// verifier is refused with <see cref="GreyOSApiException"/> code <c>srp_server_proof</c>.
    /// </summary>
    public async Task<(LoginResponse Login, DeviceCredential Credential)> LoginWithSrpAsync(
        string userName, string password, DeviceCredential key, string deviceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var start = await SendAsync(HttpMethod.Post, SrpStartPath, JsonContent.Create(new SrpStartRequest(userName), ProtocolJsonContext.Default.SrpStartRequest),
            ProtocolJsonContext.Default.SrpStartResponse, cancellationToken).ConfigureAwait(false);
        var srp = Srp.SrpClient.Respond(userName, password, Base64Url.DecodeFromChars(start.Salt), Base64Url.DecodeFromChars(start.ServerPublic))
            ?? throw new GreyOSApiException(HttpStatusCode.BadGateway, "srp_server_proof", "the node's SRP values are invalid", null, null);
        var finish = new SrpFinishRequest(start.SrpId, Base64Url.EncodeToString(srp.A), Base64Url.EncodeToString(srp.M1), new DeviceKey(deviceName, key.Did));
        var result = await SendAsync(HttpMethod.Post, SrpFinishPath, JsonContent.Create(finish, ProtocolJsonContext.Default.SrpFinishRequest),
            ProtocolJsonContext.Default.SrpFinishResponse, cancellationToken).ConfigureAwait(false);
        if (!srp.TryVerifyServer(Base64Url.DecodeFromChars(result.ServerProof), out _))
        {
            throw new GreyOSApiException(HttpStatusCode.BadGateway, "srp_server_proof", "the node did not prove it knows your password's verifier: not trusting it", null, null);
        }

        Credential = key.WithSession(result.Login.Session.SessionId, result.Login.Device?.Id);
        return (result.Login, Credential);
    }

    /// <summary><c>POST /api/v1/auth/challenge</c>: a single-use challenge for key login or step-up.</summary>
    public Task<ChallengeResponse> CreateChallengeAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ChallengePath, content: null, ProtocolJsonContext.Default.ChallengeResponse, cancellationToken);

    /// <summary><c>POST /api/v1/auth/step-up</c> with the password: sensitive actions are allowed for a few minutes.</summary>
    public Task<SessionInfo> StepUpAsync(string password, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, StepUpPath, JsonContent.Create(new StepUpRequest(Password: password), ProtocolJsonContext.Default.StepUpRequest),
            ProtocolJsonContext.Default.SessionInfo, cancellationToken);

    /// <summary><c>GET /api/v1/auth/session</c>: the session of <see cref="Credential"/> and its user.</summary>
    public Task<SessionInfo> GetSessionAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, SessionPath, content: null, ProtocolJsonContext.Default.SessionInfo, cancellationToken);

    /// <summary><c>POST /api/v1/auth/logout</c>: revokes the session of <see cref="Credential"/> on the node (the device key stays registered).</summary>
    public async Task LogoutAsync(CancellationToken cancellationToken = default)
    {
        await SendAsync<object>(HttpMethod.Post, LogoutPath, content: null, typeInfo: null, cancellationToken).ConfigureAwait(false);
    }


    /// <summary>The name of a module: the lower-case hex SHA-256 of its bytes.</summary>
    public static string ModuleHash(ReadOnlySpan<byte> wasm) => Convert.ToHexStringLower(SHA256.HashData(wasm));

    /// <summary><c>GET /api/v1/modules/{sha256}</c>: the module if the node has it, else null.</summary>
    public async Task<ModuleResponse?> GetModuleAsync(string sha256, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sha256);
        try
        {
            return await SendAsync(HttpMethod.Get, ModulePath(sha256), content: null, ProtocolJsonContext.Default.ModuleResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (GreyOSApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.Code == ModuleNotFoundCode)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>PUT /api/v1/modules/{sha256}</c>: uploads a WebAssembly module (at most <see cref="MaxModuleBytes"/>);
    /// the node validates and compiles it. A module the node refuses throws <see cref="GreyOSApiException"/>
    /// with code <c>invalid_module</c> (the detail lists the problems).
    /// </summary>
    public Task<ModuleResponse> PutModuleAsync(ReadOnlyMemory<byte> wasm, CancellationToken cancellationToken = default)
    {
        var content = new ReadOnlyMemoryContent(wasm);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        var transfer = TimeSpan.FromSeconds(wasm.Length / MinUploadBytesPerSecond) + LongRequestMargin;
        return SendAsync(HttpMethod.Put, ModulePath(ModuleHash(wasm.Span)), content, ProtocolJsonContext.Default.ModuleResponse, transfer, cancellationToken);
    }

    /// <summary>
    /// <c>POST /api/v1/processes</c>: starts a process from an uploaded module. Errors: <c>module_not_found</c>,
    /// <c>limit_out_of_range</c>, <c>invalid_request</c>, <c>process_quota</c>.
    /// </summary>
    public Task<ProcessResponse> SpawnAsync(SpawnProcessRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonContent.Create(request, ProtocolJsonContext.Default.SpawnProcessRequest);
        return SendAsync(HttpMethod.Post, ProcessesPath, body, ProtocolJsonContext.Default.ProcessResponse, cancellationToken);
    }

    /// <summary>
    /// <c>GET /api/v1/processes</c>: the caller's processes, newest first, optionally only those in
    /// <paramref name="state"/> or named <paramref name="name"/>; <paramref name="all"/> (administrators) lists everyone's.
    /// </summary>
    public async Task<IReadOnlyList<ProcessResponse>> ListProcessesAsync(
        string? state = null, string? name = null, int? limit = null, bool all = false, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (state is not null)
        {
            query.Add("state=" + Uri.EscapeDataString(state));
        }

        if (name is not null)
        {
            query.Add("name=" + Uri.EscapeDataString(name));
        }

        if (limit is { } count)
        {
            query.Add("limit=" + count.ToString(CultureInfo.InvariantCulture));
        }

        if (all)
        {
            query.Add("all=true");
        }

        var path = new Uri(query.Count == 0 ? ProcessesPath.OriginalString : $"{ProcessesPath.OriginalString}?{string.Join('&', query)}", UriKind.Relative);
        var list = await SendAsync(HttpMethod.Get, path, content: null, ProtocolJsonContext.Default.ProcessListResponse, cancellationToken).ConfigureAwait(false);
        return list.Processes ?? [];
    }

    /// <summary><c>GET /api/v1/processes/{pid}</c>: one process (<c>process_not_found</c> if unknown or not the caller's).</summary>
    public Task<ProcessResponse> GetProcessAsync(long pid, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ProcessPath(pid), content: null, ProtocolJsonContext.Default.ProcessResponse, cancellationToken);

    /// <summary>
    /// <c>DELETE /api/v1/processes/{pid}</c>: asks the node to kill the process and returns its record
    /// (possibly still running for a moment; an ended process is returned unchanged).
    /// </summary>
    public Task<ProcessResponse> KillAsync(long pid, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ProcessPath(pid), content: null, ProtocolJsonContext.Default.ProcessResponse, cancellationToken);

    /// <summary>
    /// <c>GET /api/v1/processes/{pid}/wait</c>: returns when the process has ended or <paramref name="timeout"/>
    /// (at most <see cref="MaxWaitTimeout"/>) has passed, whichever is first; check
    /// <see cref="ProcessResponse.HasEnded"/> and call again to keep waiting.
    /// </summary>
    public Task<ProcessResponse> WaitAsync(long pid, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var wait = TimeSpan.FromSeconds(Math.Ceiling(Math.Clamp(timeout.TotalSeconds, 0, MaxWaitTimeout.TotalSeconds)));
        if (RequestTimeout is null && _http.Timeout != Timeout.InfiniteTimeSpan && wait + LongRequestMargin > _http.Timeout)
        {
            // Only HttpClient.Timeout bounds the request: wait less so the answer arrives before it elapses.
            wait = TimeSpan.FromSeconds(Math.Max(0, Math.Floor((_http.Timeout - LongRequestMargin).TotalSeconds)));
        }

        var seconds = ((int)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return SendAsync(HttpMethod.Get, new Uri($"{ProcessPath(pid).OriginalString}/wait?timeoutSeconds={seconds}", UriKind.Relative),
            content: null, ProtocolJsonContext.Default.ProcessResponse, wait + LongRequestMargin, cancellationToken);
    }

    /// <summary><c>GET /api/v1/processes/{pid}/output</c>: the stdout or stderr bytes the node kept (the most recent, up to its buffer size).</summary>
    public Task<byte[]> GetOutputAsync(long pid, OutputChannel channel, CancellationToken cancellationToken = default)
    {
        var stream = channel switch
        {
            OutputChannel.Stdout => "stdout",
            OutputChannel.Stderr => "stderr",
            _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "stdout or stderr"),
        };
        var path = new Uri($"{ProcessPath(pid).OriginalString}/output?stream={stream}", UriKind.Relative);
        return SendCoreAsync(HttpMethod.Get, path, content: null, "application/octet-stream",
            static (response, ct) => response.Content.ReadAsByteArrayAsync(ct), extraTime: null, cancellationToken);
    }

    /// <summary>
    /// <c>GET /api/v1/processes/{pid}/attach</c>: opens a WebSocket (<c>ws://</c> or <c>wss://</c> after the
    /// node's address, the upgrade request signed with the device key) to stream the process's output and feed its stdin. A
    /// refused attach throws <see cref="GreyOSApiException"/> with the node's code (e.g. <c>process_not_found</c>).
    /// </summary>
    public async Task<ProcessAttachment> AttachAsync(long pid, CancellationToken cancellationToken = default)
    {
        var builder = new UriBuilder(new Uri(BaseAddress, $"{ProcessPath(pid).OriginalString}/attach"))
        {
            Scheme = BaseAddress.Scheme == Uri.UriSchemeHttps ? Uri.UriSchemeWss : Uri.UriSchemeWs,
        };
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        foreach (var header in _http.DefaultRequestHeaders)
        {
            socket.Options.SetRequestHeader(header.Key, string.Join(header.Key == "User-Agent" ? " " : ", ", header.Value));
        }

        var refusal = new RefusalCapture();
        var invoker = new HttpMessageInvoker(Credential is { SessionId: not null } credential ? new SigningHandler(credential, refusal) : refusal, disposeHandler: true);
        var connectTimeout = ConnectTimeout();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        try
        {
            await socket.ConnectAsync(builder.Uri, invoker, timeout.Token).ConfigureAwait(false);
            return new ProcessAttachment(pid, socket, invoker, BaseAddress);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            invoker.Dispose();
            if (refusal.Response is { } refused)
            {
                using (refused)
                {
                    throw await ToApiExceptionAsync(refused, CancellationToken.None).ConfigureAwait(false);
                }
            }

            if (status is not 0 and not HttpStatusCode.SwitchingProtocols)
            {
                throw new GreyOSApiException(status, code: null, $"the node refused to attach to process {pid} (HTTP {(int)status})", title: null, traceId: null, ex);
            }

            var reason = ex is OperationCanceledException
                ? $"no answer within {connectTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s"
                : ReasonOf(ex);
            throw new GreyOSConnectionException(BaseAddress, reason, ex);
        }
        catch
        {
            socket.Dispose();
            invoker.Dispose();
            throw;
        }
    }

    private static Uri ModulePath(string sha256) => new($"api/v1/modules/{Uri.EscapeDataString(sha256)}", UriKind.Relative);

    private static Uri ProcessPath(long pid) => new($"api/v1/processes/{pid.ToString(CultureInfo.InvariantCulture)}", UriKind.Relative);

    private TimeSpan ConnectTimeout() =>
        RequestTimeout ?? (_http.Timeout == Timeout.InfiniteTimeSpan ? DefaultConnectTimeout : _http.Timeout);

    private Task<T> SendAsync<T>(HttpMethod method, Uri path, HttpContent? content, JsonTypeInfo<T>? typeInfo, CancellationToken cancellationToken) =>
        SendAsync(method, path, content, typeInfo, extraTime: null, cancellationToken);

    private Task<T> SendAsync<T>(HttpMethod method, Uri path, HttpContent? content, JsonTypeInfo<T>? typeInfo, TimeSpan? extraTime, CancellationToken cancellationToken) =>
        SendCoreAsync(
            method,
            path,
            content,
            "application/json",
            async (response, ct) => typeInfo is null ? default! : await ReadJsonAsync(response, typeInfo, ct).ConfigureAwait(false),
            extraTime,
            cancellationToken);

    /// <summary>The JSON body as <typeparamref name="T"/>; a body that is not one is a clear error naming the URL.</summary>
    private async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(typeInfo, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException("the body is empty or null");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new GreyOSApiException(
                response.StatusCode,
                InvalidResponseCode,
                $"the answer from {BaseAddress} is not a GreyOS response ({ex.Message.TrimEnd('.')}); is this the right URL?",
                title: null,
                traceId: null,
                ex);
        }
    }

    /// <summary>
    /// Sends one request and reads a success response with <paramref name="read"/>. <paramref name="extraTime"/>
    /// is added to <see cref="RequestTimeout"/> for requests that wait on purpose.
    /// </summary>
    private async Task<T> SendCoreAsync<T>(
        HttpMethod method,
        Uri path,
        HttpContent? content,
        string accept,
        Func<HttpResponseMessage, CancellationToken, Task<T>> read,
        TimeSpan? extraTime,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseAddress, path)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return await SendStreamingAsync(request, (response, _, ct) => read(response, ct), extraTime, accepts: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="request"/> (signed) and reads the answer with <paramref name="read"/>, which
    /// calls its <see cref="Action"/> whenever bytes arrive: after the answer's headers,
    /// <see cref="RequestTimeout"/> bounds each wait for more rather than the whole transfer.
    /// <paramref name="accepts"/> lets an error status through to <paramref name="read"/>.
    /// </summary>
    private async Task<T> SendStreamingAsync<T>(
        HttpRequestMessage request,
        Func<HttpResponseMessage, Action, CancellationToken, Task<T>> read,
        TimeSpan? extraTime,
        Func<HttpResponseMessage, bool>? accepts,
        CancellationToken cancellationToken)
    {
        if (Credential is { SessionId: not null } credential)
        {
            await RequestSigner.SignAsync(request, credential, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var limit = RequestTimeout is { } perRequest ? perRequest + (extraTime ?? TimeSpan.Zero) : (TimeSpan?)null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (limit is { } span)
        {
            timeout.CancelAfter(span);
        }

        void MadeProgress()
        {
            if (RequestTimeout is { } each)
            {
                limit = each;
                timeout.CancelAfter(each);
            }
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && accepts?.Invoke(response) != true)
            {
                throw await ToApiExceptionAsync(response, timeout.Token).ConfigureAwait(false);
            }

            return await read(response, MadeProgress, timeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new GreyOSConnectionException(BaseAddress, ReasonOf(ex), ex);
        }
        catch (HttpIOException ex)
        {
            throw new GreyOSConnectionException(BaseAddress, ReasonOf(ex), ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A timeout elapsed (the caller did not cancel): ours, or HttpClient.Timeout.
            var elapsed = limit is { } ours && timeout.IsCancellationRequested ? ours : _http.Timeout;
            var seconds = elapsed.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            throw new GreyOSConnectionException(BaseAddress, $"no answer within {seconds} s", ex);
        }
    }

    private static async Task<GreyOSApiException> ToApiExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            body = string.Empty;
        }

        ProblemResponse? problem = null;
        if (body.Length is > 0 and <= MaxErrorBodyChars && body.TrimStart().StartsWith('{'))
        {
            try
            {
                problem = JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.ProblemResponse);
            }
            catch (JsonException)
            {
                // Not a problem body (a proxy's error page, a foreign server): fall back to the status.
            }
        }

        return new GreyOSApiException(
            status,
            string.IsNullOrWhiteSpace(problem?.Code) ? null : problem.Code,
            string.IsNullOrWhiteSpace(problem?.Detail) ? null : problem.Detail,
            string.IsNullOrWhiteSpace(problem?.Title) ? response.ReasonPhrase : problem.Title,
            problem?.TraceId);
    }

    private static string ReasonOf(Exception ex)
    {
        // "Unable to connect to the remote server" (WebSocket) and "The SSL connection could not be
        // established, see inner exception." say little on their own: the innermost useful message.
        while (ex.InnerException is { } inner
            && (ex is WebSocketException || ex.Message.Contains("inner exception", StringComparison.OrdinalIgnoreCase)))
        {
            ex = inner;
        }

        return ex.Message.TrimEnd('.');
    }

    /// <summary>
    /// The attach handshake's transport: keeps a refused upgrade's response (status and problem body),
    /// which <see cref="ClientWebSocket"/> itself does not expose.
    /// </summary>
    private sealed class RefusalCapture() : DelegatingHandler(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
    {
        public HttpResponseMessage? Response { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.SwitchingProtocols && !response.IsSuccessStatusCode)
            {
                await response.Content.LoadIntoBufferAsync(MaxErrorBodyChars * 4L, cancellationToken).ConfigureAwait(false);
                Response = response;
                var copy = new HttpResponseMessage(response.StatusCode) { RequestMessage = request };
                return copy;
            }

            return response;
        }
    }
}
