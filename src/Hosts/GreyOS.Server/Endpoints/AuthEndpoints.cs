using System.Globalization;
using System.Security.Claims;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Protocol;
using GreyOS.Server.Http;

namespace GreyOS.Server.Endpoints;

internal static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuthEndpoints(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth");
        auth.MapPost("/login", async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> (LoginRequest? request, ISessionService sessions, CancellationToken cancellationToken) =>
            {
                if (request is null || string.IsNullOrEmpty(request.UserName) || request.Password is null)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"userName\": \"…\", \"password\": \"…\"}");
                }

                var result = await sessions.LoginAsync(request.UserName, request.Password, cancellationToken).ConfigureAwait(false);
                return result.IsSuccess
                    ? TypedResults.Ok(new LoginResponse(result.Value.Token, ToInfo(result.Value.Principal)))
                    : result.Error.ToResult();
            })
            .AllowAnonymous()
            .RequireRateLimiting(GreyOSHttpExtensions.CredentialsPolicy)
            .WithName("Login")
            .WithSummary("Password login; returns a session token to send as 'Authorization: Bearer'.");

        auth.MapGet("/session", (ClaimsPrincipal user) => TypedResults.Ok(ToInfo(user)))
            .WithName("GetSession")
            .WithSummary("The current session and its user.");

        auth.MapPost("/logout", async (ClaimsPrincipal user, ISessionService sessions, CancellationToken cancellationToken) =>
            {
                await sessions.RevokeAsync(user.FindFirstValue(SessionAuthentication.SessionIdClaim)!, cancellationToken).ConfigureAwait(false);
                return TypedResults.NoContent();
            })
            .WithName("Logout")
            .WithSummary("Ends the current session.");
        return api;
    }

    private static SessionInfo ToInfo(SessionPrincipal p) => new(p.SessionId, p.UserId, p.UserName, p.Role, p.ExpiresAt);

    private static SessionInfo ToInfo(ClaimsPrincipal user) => new(
        user.FindFirstValue(SessionAuthentication.SessionIdClaim)!,
        user.FindFirstValue(ClaimTypes.NameIdentifier)!,
        user.FindFirstValue(ClaimTypes.Name)!,
        user.FindFirstValue(ClaimTypes.Role)!,
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(user.FindFirstValue(ClaimTypes.Expiration)!, CultureInfo.InvariantCulture)));
}
