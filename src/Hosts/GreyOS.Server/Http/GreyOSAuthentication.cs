using System.Buffers;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Protocol.Signatures;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace GreyOS.Server.Http;

/// <summary>
/// Authenticates a request by its RFC 9421 signature (device sessions: CLI, devices) or its session
/// cookie (browsers, with a CSRF token on unsafe methods). docs/design/0003-identity.md §3–4.
/// </summary>
internal sealed class GreyOSAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ISessionService sessions) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "GreyOS";
    public const string CookieName = "greyos_session";
    public const string CsrfHeader = "X-CSRF-Token";
    public const string AppHeader = "X-GreyOS-App";

    /// <summary>The signature label the node reads.</summary>
    public const string Label = "greyos";

    public const string SessionIdClaim = "sid";
    public const string PermissionClaim = "perm";
    public const string KindClaim = "session_kind";
    public const string DeviceClaim = "device";
    public const string FreshUntilClaim = "fresh_until";
    public const string ExpiresClaim = "expires";

    /// <summary>Components every signature must cover.</summary>
    private static readonly string[] RequiredComponents = ["@method", "@authority", "@path", "@query"];

    private static readonly object ErrorKey = new();

    /// <summary>The client context of a request (audit, usage profile).</summary>
    public static ClientContext ClientOf(HttpContext context, string defaultApp)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? app = context.Request.Headers[AppHeader];
        string? agent = context.Request.Headers.UserAgent;
        return new ClientContext(
            context.Connection.RemoteIpAddress?.ToString(),
            agent is { Length: > 200 } ? agent[..200] : agent,
            app is { Length: > 0 and <= 64 } && app.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? app : defaultApp);
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers.ContainsKey(HttpSignatures.SignatureInputHeaderName) || Request.Headers.ContainsKey(HttpSignatures.SignatureHeaderName))
        {
            return await SignatureAsync().ConfigureAwait(false);
        }

        if (Request.Cookies.TryGetValue(CookieName, out var cookie))
        {
            return await CookieAsync(cookie).ConfigureAwait(false);
        }

        if (Request.Headers.Authorization.Count > 0)
        {
            return Refuse(ErrorCodes.Unauthenticated, "bearer tokens are not accepted: sign requests with your device key (greyos login) or use the browser session");
        }

        return AuthenticateResult.NoResult();
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (status, code, detail) = Context.Items[ErrorKey] as (int, string, string)? ?? (StatusCodes.Status401Unauthorized, ErrorCodes.Unauthenticated,
            "a valid session is required: log in (greyos login); the session may have expired or been revoked");
        if (status == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = $"Signature realm=\"greyos\", label=\"{Label}\"";
        }

        await Problems.Create(status, code, detail).ExecuteAsync(Context).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "the signed-in user lacks the permission for this request")
            .ExecuteAsync(Context).ConfigureAwait(false);

    private async Task<AuthenticateResult> SignatureAsync()
    {
        if (!HttpSignatures.TryParseSignatureInput(Joined(HttpSignatures.SignatureInputHeaderName), out var inputs, out var reason)
            || !HttpSignatures.TryParseSignature(Joined(HttpSignatures.SignatureHeaderName), out var signatures, out reason))
        {
            return Invalid($"malformed signature headers: {reason}");
        }

        if (!inputs.TryGetValue(Label, out var parameters) || !signatures.TryGetValue(Label, out var signature))
        {
            return Invalid($"no signature labelled '{Label}'");
        }

        if (RequiredComponents.FirstOrDefault(c => !parameters.Components.Contains(c)) is { } missing)
        {
            return Invalid($"the signature must cover {string.Join(' ', RequiredComponents)} (and content-digest with a body); {missing} is missing");
        }

        if (parameters.Alg is not (null or "ed25519") || parameters.KeyId is null || parameters.Nonce is null)
        {
            return Invalid("the signature needs keyid and nonce, and alg ed25519 if given");
        }

        if (HasBody())
        {
            if (!parameters.Components.Contains("content-digest"))
            {
                return Invalid("a request with a body must cover content-digest");
            }

            if (await VerifyContentDigestAsync().ConfigureAwait(false) is { } digestProblem)
            {
                return Invalid(digestProblem);
            }
        }

        var target = Context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw ? raw : Request.PathBase + Request.Path + Request.QueryString;
        var headers = Request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? string.Empty)));
        if (!SignatureRequest.TryCreate(Request.Method, Request.Scheme, Request.Host.Value, target, headers, out var request, out reason)
            || !HttpSignatures.TryBuildSignatureBase(request, parameters, out var signatureBase, out reason))
        {
            return Invalid(reason);
        }

        var result = await sessions.AuthenticateSignatureAsync(
            new SignedRequest(parameters.KeyId, Encoding.UTF8.GetBytes(signatureBase), signature, parameters.Created, parameters.Nonce),
            ClientOf(Context, "api"),
            Context.RequestAborted).ConfigureAwait(false);
        return result.IsSuccess ? Success(result.Value) : Refuse(result.Error.Code, result.Error.Message);
    }

    private async Task<AuthenticateResult> CookieAsync(string cookie)
    {
        var principal = await sessions.AuthenticateCookieAsync(cookie, Context.RequestAborted).ConfigureAwait(false);
        if (principal is null)
        {
            Response.Cookies.Delete(CookieName);
            return Refuse(ErrorCodes.Unauthenticated, "the browser session expired or was revoked: log in again");
        }

        if (!HttpMethods.IsGet(Request.Method) && !HttpMethods.IsHead(Request.Method) && !HttpMethods.IsOptions(Request.Method))
        {
            var expected = Encoding.UTF8.GetBytes(sessions.CsrfTokenFor(principal.SessionId));
            var sent = Encoding.UTF8.GetBytes(Request.Headers[CsrfHeader].ToString());
            var site = Request.Headers["Sec-Fetch-Site"].ToString();
            if (!CryptographicOperations.FixedTimeEquals(expected, sent) || site is not ("" or "same-origin" or "none"))
            {
                return Refuse(ErrorCodes.CsrfInvalid, $"send the session's CSRF token as {CsrfHeader} (GET /api/v1/auth/session returns it); cross-site requests are refused", StatusCodes.Status403Forbidden);
            }
        }

        return Success(principal);
    }

    private bool HasBody() => Request.ContentLength > 0 || (Request.ContentLength is null && Request.Headers.TransferEncoding.Count > 0);

    /// <summary>Checks Content-Digest against the body (buffered, then rewound for the endpoint).</summary>
    private async Task<string?> VerifyContentDigestAsync()
    {
        if (!ContentDigest.TryParse(Request.Headers[ContentDigest.HeaderName], out var digests, out var reason))
        {
            return $"Content-Digest: {reason}";
        }

        var known = digests.Where(d => d.Key is "sha-256" or "sha-512").ToList();
        if (known.Count == 0)
        {
            return "Content-Digest needs sha-256 or sha-512";
        }

        // An endpoint that accepts bigger bodies (module upload) says so in its metadata; apply it before reading.
        var limitFeature = Context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (Context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { MaxRequestBodySize: var max } && limitFeature is { IsReadOnly: false })
        {
            limitFeature.MaxRequestBodySize = max;
        }

        Request.EnableBuffering(64 * 1024, limitFeature?.MaxRequestBodySize ?? 1024 * 1024);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sha512 = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await Request.Body.ReadAsync(buffer, Context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                sha256.AppendData(buffer, 0, read);
                sha512.AppendData(buffer, 0, read);
            }
        }
        catch (BadHttpRequestException ex)
        {
            // The body ended early (a broken connection) or ran past the limit: nothing to verify.
            return $"the body could not be read ({ex.Message.TrimEnd('.')})";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Request.Body.Position = 0;
        var actual256 = sha256.GetHashAndReset();
        var actual512 = sha512.GetHashAndReset();
        foreach (var (algorithm, digest) in known)
        {
            if (!CryptographicOperations.FixedTimeEquals(algorithm == "sha-256" ? actual256 : actual512, digest))
            {
                return $"the {algorithm} Content-Digest does not match the body";
            }
        }

        return null;
    }

    private string? Joined(string header) => Request.Headers[header] is { Count: > 0 } values ? string.Join(", ", values.ToArray()) : null;

    private AuthenticateResult Invalid(string reason)
    {
        return Refuse(ErrorCodes.InvalidSignature, $"the request signature is not valid: {reason}");
    }

    private AuthenticateResult Refuse(string code, string detail, int status = StatusCodes.Status401Unauthorized)
    {
        Context.Items[ErrorKey] = (status, code, detail);
        return AuthenticateResult.Fail(detail);
    }

    private static AuthenticateResult Success(SessionPrincipal principal)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, principal.UserId),
            new(ClaimTypes.Name, principal.UserName),
            new(SessionIdClaim, principal.SessionId),
            new(KindClaim, principal.Kind == SessionKind.Browser ? "browser" : "device"),
            new(ExpiresClaim, principal.ExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
            new(FreshUntilClaim, principal.FreshUntil.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
        };
        if (principal.DeviceId is not null)
        {
            claims.Add(new Claim(DeviceClaim, principal.DeviceId));
        }

        claims.AddRange(principal.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(principal.Permissions.Select(p => new Claim(PermissionClaim, p)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}
