using System.Security.Claims;
using System.Text.Encodings.Web;
using GreyOS.Abstractions.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace GreyOS.Server.Http;

/// <summary>
/// Authenticates <c>Authorization: Bearer gos_…</c> session tokens against the session store.
/// (Signed requests and browser cookies replace this with the identity work; see docs.)
/// </summary>
internal sealed class SessionAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ISessionService sessions) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "GreyOSSession";
    public const string SessionIdClaim = "sid";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var principal = await sessions.ValidateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted).ConfigureAwait(false);
        if (principal is null)
        {
            return AuthenticateResult.Fail("invalid, expired or revoked session");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, principal.UserId),
                new Claim(ClaimTypes.Name, principal.UserName),
                new Claim(ClaimTypes.Role, principal.Role),
                new Claim(SessionIdClaim, principal.SessionId),
                new Claim(ClaimTypes.Expiration, principal.ExpiresAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
