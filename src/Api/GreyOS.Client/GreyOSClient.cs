using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
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
/// node's address (a path prefix such as <c>https://example.org/greyos/</c> is kept). The session
/// token is sent per request, so one <see cref="HttpClient"/> may serve several clients.
/// </remarks>
public sealed class GreyOSClient
{
    /// <summary>The error code the client reports when a success response has a body it cannot read.</summary>
    public const string InvalidResponseCode = "invalid_response";

    private const string NotReadyCode = "not_ready";
    private const int MaxErrorBodyChars = 64 * 1024;

    private static readonly Uri HealthPath = new("api/v1/health", UriKind.Relative);
    private static readonly Uri ReadyPath = new("api/v1/ready", UriKind.Relative);
    private static readonly Uri SetupPath = new("api/v1/setup", UriKind.Relative);
    private static readonly Uri LoginPath = new("api/v1/auth/login", UriKind.Relative);
    private static readonly Uri SessionPath = new("api/v1/auth/session", UriKind.Relative);
    private static readonly Uri LogoutPath = new("api/v1/auth/logout", UriKind.Relative);

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

    /// <summary>The session token sent as <c>Authorization: Bearer</c>; null sends no credentials.</summary>
    public string? SessionToken { get; set; }

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
    /// <c>POST /api/v1/auth/login</c>: a new session. The client does not keep the token; set
    /// <see cref="SessionToken"/> to use it.
    /// </summary>
    public Task<LoginResponse> LoginAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        var body = JsonContent.Create(new LoginRequest(userName, password), ProtocolJsonContext.Default.LoginRequest);
        return SendAsync(HttpMethod.Post, LoginPath, body, ProtocolJsonContext.Default.LoginResponse, cancellationToken);
    }

    /// <summary><c>GET /api/v1/auth/session</c>: the session of <see cref="SessionToken"/> and its user.</summary>
    public Task<SessionInfo> GetSessionAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, SessionPath, content: null, ProtocolJsonContext.Default.SessionInfo, cancellationToken);

    /// <summary><c>POST /api/v1/auth/logout</c>: revokes the session of <see cref="SessionToken"/> on the node.</summary>
    public async Task LogoutAsync(CancellationToken cancellationToken = default)
    {
        await SendAsync<object>(HttpMethod.Post, LogoutPath, content: null, typeInfo: null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, Uri path, HttpContent? content, JsonTypeInfo<T>? typeInfo, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseAddress, path)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (SessionToken is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await ToApiExceptionAsync(response, cancellationToken).ConfigureAwait(false);
            }

            if (typeInfo is null)
            {
                return default!;
            }

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
        catch (HttpRequestException ex)
        {
            throw new GreyOSConnectionException(BaseAddress, ReasonOf(ex), ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout elapsed (the caller did not cancel).
            var seconds = _http.Timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
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

    private static string ReasonOf(HttpRequestException ex)
    {
        // "The SSL connection could not be established, see inner exception." says little on its own.
        var message = ex.InnerException is { } inner && ex.Message.Contains("inner exception", StringComparison.OrdinalIgnoreCase)
            ? inner.Message
            : ex.Message;
        return message.TrimEnd('.');
    }
}
