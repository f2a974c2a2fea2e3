using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.Identity;

/// <summary>A signed-in principal, as attached to a request.</summary>
public sealed record SessionPrincipal(string SessionId, string UserId, string UserName, string Role, DateTimeOffset ExpiresAt);

/// <summary>A new session: the secret token is shown once, only its hash is stored.</summary>
public sealed record NewSession(string Token, SessionPrincipal Principal);

/// <summary>Password login and the sessions it creates.</summary>
public interface ISessionService
{
    /// <summary>Checks the password and opens a session; wrong user and wrong password look the same.</summary>
    ValueTask<Result<NewSession>> LoginAsync(string userName, string password, CancellationToken cancellationToken);

    /// <summary>The principal of a live session token, or null when it is unknown, expired or revoked.</summary>
    ValueTask<SessionPrincipal?> ValidateAsync(string token, CancellationToken cancellationToken);

    /// <summary>Ends the session; ending an unknown session is not an error.</summary>
    ValueTask RevokeAsync(string sessionId, CancellationToken cancellationToken);
}
