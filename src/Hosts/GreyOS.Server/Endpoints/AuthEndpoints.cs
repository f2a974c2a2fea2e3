using System.Buffers.Text;
using System.Security.Claims;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Protocol;
using GreyOS.Server.Http;

namespace GreyOS.Server.Endpoints;

/// <summary>Logins (password, did:key, SRP-6a), the current session, logout and step-up (docs/design/0003-identity.md §5).</summary>
internal static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuthEndpoints(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth");
        auth.MapPost("/login", async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> (LoginRequest? request, HttpContext context, ISessionService sessions, CancellationToken ct) =>
            {
                if (request is null || string.IsNullOrEmpty(request.UserName) || request.Password is null)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"userName\": \"…\", \"password\": \"…\"} (and \"device\": {\"name\", \"did\"} to register a device key)");
                }

                var result = await sessions.LoginWithPasswordAsync(request.UserName, request.Password, ToRegistration(request.Device), ClientFor(context, request.Device), ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.Ok(Opened(context, result.Value)) : result.Error.ToResult(context);
            })
            .AllowAnonymous()
            .RequireRateLimiting(GreyOSHttpExtensions.CredentialsPolicy)
            .WithName("Login")
            .WithSummary("Password login: a browser session (cookie + CSRF token), or with 'device' a device session whose requests are signed.");

        auth.MapPost("/challenge", async (ISessionService sessions, CancellationToken ct) =>
            {
                var challenge = await sessions.CreateChallengeAsync(ct).ConfigureAwait(false);
                return TypedResults.Ok(new ChallengeResponse(challenge.ChallengeId, Base64Url.EncodeToString(challenge.Challenge), challenge.NodeDid, challenge.ExpiresAt));
            })
            .AllowAnonymous()
            .RequireRateLimiting(GreyOSHttpExtensions.CredentialsPolicy)
            .WithName("CreateChallenge")
            .WithSummary("A single-use challenge (60 s) for a did:key login or a key step-up.");

        auth.MapPost("/login/key", async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> (KeyLoginRequest? request, HttpContext context, ISessionService sessions, CancellationToken ct) =>
            {
                if (request is null || !TryDecode(request.Signature, 64, out var signature) || string.IsNullOrEmpty(request.ChallengeId) || string.IsNullOrEmpty(request.Did))
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"challengeId\", \"did\", \"signature\": base64url Ed25519 (64 bytes)}");
                }

                var result = await sessions.LoginWithKeyAsync(request.ChallengeId, request.Did, signature, GreyOSAuthentication.ClientOf(context, "greyos-cli"), ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.Ok(Opened(context, result.Value)) : result.Error.ToResult();
            })
            .AllowAnonymous()
            .RequireRateLimiting(GreyOSHttpExtensions.CredentialsPolicy)
            .WithName("KeyLogin")
            .WithSummary("did:key login: a registered device signs the challenge; opens a device session.");

        auth.MapPost("/srp/start", async Task<Results<Ok<SrpStartResponse>, ProblemHttpResult>> (SrpStartRequest? request, ISessionService sessions, CancellationToken ct) =>
            {
                if (request is null || string.IsNullOrEmpty(request.UserName))
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"userName\": \"…\"}");
                }

                var result = await sessions.StartSrpAsync(request.UserName, ct).ConfigureAwait(false);
                return result.IsSuccess
                    ? TypedResults.Ok(new SrpStartResponse(result.Value.SrpId, Base64Url.EncodeToString(result.Value.Salt), Base64Url.EncodeToString(result.Value.ServerPublic)))
                    : result.Error.ToResult();
            })
            .AllowAnonymous()
            .RequireRateLimiting(GreyOSHttpExtensions.CredentialsPolicy)
            .WithName("SrpStart")
            .WithSummary("Zero-knowledge login (SRP-6a, RFC 5054 3072-bit group, SHA-256), step 1: salt and B.");

        auth.MapPost("/srp/finish", async Task<Results<Ok<SrpFinishResponse>, ProblemHttpResult>> (SrpFinishRequest? request, HttpContext context, ISessionService sessions, CancellationToken ct) =>
            {
                if (request is null || string.IsNullOrEmpty(request.SrpId) || !TryDecode(request.ClientPublic, 1024, out var a) || !TryDecode(request.ClientProof, 128, out var m1))
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"srpId\", \"clientPublic\": A, \"clientProof\": M1} (base64url)");
                }

                var result = await sessions.FinishSrpAsync(request.SrpId, a, m1, ToRegistration(request.Device), ClientFor(context, request.Device), ct).ConfigureAwait(false);
                return result.IsSuccess
                    ? TypedResults.Ok(new SrpFinishResponse(Opened(context, result.Value.Login), Base64Url.EncodeToString(result.Value.ServerProof)))
                    : result.Error.ToResult(context);
            })
            .AllowAnonymous()
            .RequireRateLimiting(GreyOSHttpExtensions.CredentialsPolicy)
            .WithName("SrpFinish")
            .WithSummary("SRP-6a step 2: A and M1; opens a session and returns M2.");

        auth.MapGet("/state", (ClaimsPrincipal user, ISessionService sessions) =>
                TypedResults.Ok(user.Identity?.IsAuthenticated == true ? new AuthStateResponse(true, ToInfo(user, sessions)) : new AuthStateResponse(false, null)))
            .AllowAnonymous()
            .WithName("GetAuthState")
            .WithSummary("Whether the request carries a live session (pages use it to choose between sign-in and the desktop); never 401.");

        auth.MapGet("/session", (ClaimsPrincipal user, ISessionService sessions) => TypedResults.Ok(ToInfo(user, sessions)))
            .WithName("GetSession")
            .WithSummary("The current session and its user (browser sessions: with the CSRF token).");

        auth.MapPost("/logout", async (HttpContext context, ISessionService sessions, CancellationToken ct) =>
            {
                var user = context.User;
                await sessions.RevokeSessionAsync(user.SessionId(), user.UserId(), user.UserId(), ct).ConfigureAwait(false);
                context.Response.Cookies.Delete(GreyOSAuthentication.CookieName);
                return TypedResults.NoContent();
            })
            .WithName("Logout")
            .WithSummary("Ends the current session.");

        auth.MapPost("/step-up", async Task<Results<Ok<SessionInfo>, ProblemHttpResult>> (StepUpRequest? request, HttpContext context, ISessionService sessions, CancellationToken ct) =>
            {
                var user = context.User;
                var client = GreyOSAuthentication.ClientOf(context, "api");
                Result<SessionPrincipal> result;
                if (request?.Password is { Length: > 0 } password)
                {
                    result = await sessions.StepUpWithPasswordAsync(user.SessionId(), password, client, ct).ConfigureAwait(false);
                }
                else if (request is { ChallengeId.Length: > 0 } && TryDecode(request.Signature, 64, out var signature))
                {
                    result = await sessions.StepUpWithKeyAsync(user.SessionId(), request.ChallengeId!, signature, client, ct).ConfigureAwait(false);
                }
                else
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"password\"} or {\"challengeId\", \"signature\"}");
                }

                return result.IsSuccess ? TypedResults.Ok(ToInfo(result.Value, sessions)) : result.Error.ToResult(context);
            })
            .RequireRateLimiting(GreyOSHttpExtensions.CredentialsPolicy)
            .WithName("StepUp")
            .WithSummary("Re-proves the credential so sensitive actions (devices, roles, passwords) are allowed for 5 minutes.");
        return api;
    }

    /// <summary>Sets the cookie of a browser session and shapes the response.</summary>
    private static LoginResponse Opened(HttpContext context, LoginResult login)
    {
        if (login.CookieToken is not null)
        {
            context.Response.Cookies.Append(GreyOSAuthentication.CookieName, login.CookieToken, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
                Expires = login.Principal.ExpiresAt,
                IsEssential = true,
            });
        }

        return new LoginResponse(ToInfo(login.Principal, login.CsrfToken), login.CsrfToken, login.Device is null ? null : DeviceEndpoints.ToResponse(login.Device));
    }

    private static ClientContext ClientFor(HttpContext context, DeviceKey? device) =>
        GreyOSAuthentication.ClientOf(context, device is null ? "web" : "greyos-cli");

    private static DeviceRegistration? ToRegistration(DeviceKey? device) => device is null ? null : new DeviceRegistration(device.Name ?? string.Empty, device.Did ?? string.Empty);

    private static bool TryDecode(string? value, int maxBytes, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(value) || value.Length > (maxBytes * 4 / 3) + 4)
        {
            return false;
        }

        try
        {
            bytes = Base64Url.DecodeFromChars(value);
            return bytes.Length is > 0 && bytes.Length <= maxBytes;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    internal static SessionInfo ToInfo(SessionPrincipal p, string? csrf) => new(
        p.SessionId,
        p.UserId,
        p.UserName,
        p.Roles,
        p.Permissions.Order(StringComparer.Ordinal).ToList(),
        p.Kind == SessionKind.Browser ? "browser" : "device",
        p.DeviceId,
        p.ExpiresAt,
        p.FreshUntil,
        csrf);

    private static SessionInfo ToInfo(SessionPrincipal p, ISessionService sessions) =>
        ToInfo(p, p.Kind == SessionKind.Browser ? sessions.CsrfTokenFor(p.SessionId) : null);

    private static SessionInfo ToInfo(ClaimsPrincipal user, ISessionService sessions)
    {
        var browser = user.FindFirstValue(GreyOSAuthentication.KindClaim) == "browser";
        return new SessionInfo(
            user.SessionId(),
            user.UserId(),
            user.FindFirstValue(ClaimTypes.Name)!,
            user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList(),
            user.Permissions(),
            browser ? "browser" : "device",
            user.DeviceId(),
            user.ExpiresAt(),
            user.FreshUntil(),
            browser ? sessions.CsrfTokenFor(user.SessionId()) : null);
    }
}
