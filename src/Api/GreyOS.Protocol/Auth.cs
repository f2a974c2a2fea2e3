namespace GreyOS.Protocol;

/// <summary><c>POST /api/v1/setup</c>: spend the one-time setup code to set the administrator's password.</summary>
public sealed record SetupRequest(string Code, string Password);

/// <summary>Setup completed for <paramref name="UserName"/>.</summary>
public sealed record SetupResponse(string UserName);

/// <summary><c>POST /api/v1/auth/login</c>.</summary>
public sealed record LoginRequest(string UserName, string Password);

/// <summary>A new session. <paramref name="Token"/> is shown only once; send it as <c>Authorization: Bearer</c>.</summary>
public sealed record LoginResponse(string Token, SessionInfo Session);

/// <summary><c>GET /api/v1/auth/session</c>: who the current session belongs to.</summary>
public sealed record SessionInfo(string SessionId, string UserId, string UserName, string Role, DateTimeOffset ExpiresAt);
