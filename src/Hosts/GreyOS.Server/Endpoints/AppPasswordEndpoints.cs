using System.Security.Claims;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Protocol;
using GreyOS.Server.Http;

namespace GreyOS.Server.Endpoints;

/// <summary>
/// App passwords (<c>/api/v1/app-passwords</c>): self-service like devices and sessions — your own,
/// needing only a session (docs/design/0003-identity.md §2); creating one is a credential change and
/// needs a fresh proof (step-up). Revoking anyone's needs <c>sessions.manage</c>. They authenticate
/// <c>/dav</c> only (docs/webdav.md).
/// </summary>
internal static class AppPasswordEndpoints
{
    public static RouteGroupBuilder MapAppPasswordEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/app-passwords");
        group.MapPost("/", async Task<Results<Created<CreatedAppPasswordResponse>, ProblemHttpResult>> (CreateAppPasswordRequest? request, ClaimsPrincipal caller, IAppPasswordService service, CancellationToken ct) =>
            {
                if (request?.Label is null)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"label\": \"laptop davfs2\"}");
                }

                var created = await service.CreateAsync(caller.UserId(), request.Label, caller.UserId(), ct).ConfigureAwait(false);
                return created.IsSuccess
                    ? TypedResults.Created($"/api/v1/app-passwords/{created.Value.Record.Id}", new CreatedAppPasswordResponse(ToResponse(created.Value.Record), created.Value.Secret, caller.Identity?.Name ?? string.Empty))
                    : created.Error.ToResult();
            })
            .RequireStepUp()
            .WithName("CreateAppPassword")
            .WithSummary("Creates an app password for WebDAV clients; the secret is in this answer only. Needs a fresh proof.");

        group.MapGet("/", async (ClaimsPrincipal caller, IAppPasswordService service, CancellationToken ct) =>
            {
                var list = await service.ListAsync(caller.UserId(), ct).ConfigureAwait(false);
                return TypedResults.Ok(new AppPasswordListResponse(list.Select(ToResponse).ToList()));
            })
            .WithName("ListAppPasswords")
            .WithSummary("Your app passwords (id, label, created, last used, revoked), newest first; never their secrets.");

        group.MapDelete("/{id}", async Task<Results<Ok<AppPasswordResponse>, ProblemHttpResult>> (string id, ClaimsPrincipal caller, IAppPasswordService service, CancellationToken ct) =>
            {
                var owner = caller.Has(Permissions.SessionsManage) ? null : caller.UserId();
                var revoked = await service.RevokeAsync(id, owner, caller.UserId(), ct).ConfigureAwait(false);
                return revoked.IsSuccess ? TypedResults.Ok(ToResponse(revoked.Value)) : revoked.Error.ToResult();
            })
            .WithName("RevokeAppPassword")
            .WithSummary("Revokes one of your app passwords (anyone's with sessions.manage); WebDAV clients using it get 401 at once.");
        return api;
    }

    private static AppPasswordResponse ToResponse(AppPasswordRecord r) => new(r.Id, r.Label, r.CreatedAt, r.LastUsedAt, r.RevokedAt);
}
