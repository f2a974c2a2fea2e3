namespace GreyOS.Protocol;

/// <summary><c>POST /api/v1/app-passwords</c>: a label naming the device or client, e.g. <c>laptop davfs2</c>.</summary>
public sealed record CreateAppPasswordRequest(string? Label);

/// <summary>An app password as listed (never its secret).</summary>
public sealed record AppPasswordResponse(string Id, string Label, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>A new app password: <see cref="Secret"/> is shown this once and cannot be read again.</summary>
public sealed record CreatedAppPasswordResponse(AppPasswordResponse AppPassword, string Secret, string UserName);

/// <summary><c>GET /api/v1/app-passwords</c>: yours, newest first.</summary>
public sealed record AppPasswordListResponse(IReadOnlyList<AppPasswordResponse> AppPasswords);
