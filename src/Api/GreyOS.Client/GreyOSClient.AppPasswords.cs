using System.Net.Http.Json;
using GreyOS.Protocol;

namespace GreyOS.Client;

/// <summary>App passwords: per-device secrets for WebDAV clients (they authenticate <c>/dav</c> only).</summary>
public sealed partial class GreyOSClient
{
    /// <summary><c>POST /api/v1/app-passwords</c>: the secret in the answer is shown this once (needs a fresh proof).</summary>
    public Task<CreatedAppPasswordResponse> CreateAppPasswordAsync(string label, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, Path("app-passwords"), JsonContent.Create(new CreateAppPasswordRequest(label), ProtocolJsonContext.Default.CreateAppPasswordRequest), ProtocolJsonContext.Default.CreatedAppPasswordResponse, cancellationToken);

    /// <summary><c>GET /api/v1/app-passwords</c>: yours, newest first (revoked ones too).</summary>
    public async Task<IReadOnlyList<AppPasswordResponse>> ListAppPasswordsAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, Path("app-passwords"), null, ProtocolJsonContext.Default.AppPasswordListResponse, cancellationToken).ConfigureAwait(false)).AppPasswords;

    /// <summary><c>DELETE /api/v1/app-passwords/{id}</c>.</summary>
    public Task<AppPasswordResponse> RevokeAppPasswordAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Path("app-passwords", id), null, ProtocolJsonContext.Default.AppPasswordResponse, cancellationToken);
}
