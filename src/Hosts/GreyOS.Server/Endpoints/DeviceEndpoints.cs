using System.Security.Claims;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Protocol;
using GreyOS.Server.Http;

namespace GreyOS.Server.Endpoints;

/// <summary>Devices (Ed25519 keys) and sessions: your own, or anyone's with devices.manage / sessions.manage.</summary>
internal static class DeviceEndpoints
{
    public static RouteGroupBuilder MapDeviceEndpoints(this RouteGroupBuilder api)
    {
        var devices = api.MapGroup("/devices");
        devices.MapGet("/", async Task<Results<Ok<DeviceListResponse>, ProblemHttpResult>> (string? user, ClaimsPrincipal caller, IUserDirectory directory, ISessionService sessions, CancellationToken ct) =>
            {
                var userId = caller.UserId();
                if (user is not null)
                {
                    if (!caller.Has(Permissions.DevicesManage))
                    {
                        return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "listing another user's devices needs devices.manage");
                    }

                    userId = (await directory.FindUserAsync(user, ct).ConfigureAwait(false))?.Id ?? user;
                }

                return TypedResults.Ok(new DeviceListResponse((await sessions.ListDevicesAsync(userId, ct).ConfigureAwait(false)).Select(ToResponse).ToList()));
            })
            .WithName("ListDevices")
            .WithSummary("Your devices (user=NAME: someone else's, with devices.manage).");

        devices.MapPost("/", async Task<Results<Created<DeviceResponse>, ProblemHttpResult>> (DeviceKey? request, ClaimsPrincipal caller, ISessionService sessions, CancellationToken ct) =>
            {
                if (request is null)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"name\", \"did\": \"did:key:z6Mk…\"}");
                }

                var result = await sessions.AddDeviceAsync(caller.UserId(), new DeviceRegistration(request.Name ?? string.Empty, request.Did ?? string.Empty), caller.UserId(), ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.Created($"/api/v1/devices/{result.Value.Id}", ToResponse(result.Value)) : result.Error.ToResult();
            })
            .RequireStepUp()
            .WithName("AddDevice")
            .WithSummary("Registers a new device key for you; needs a fresh proof.");

        devices.MapDelete("/{id}", async Task<Results<Ok<DeviceResponse>, ProblemHttpResult>> (string id, ClaimsPrincipal caller, ISessionService sessions, CancellationToken ct) =>
            {
                var owner = caller.Has(Permissions.DevicesManage) ? null : caller.UserId();
                var result = await sessions.RevokeDeviceAsync(id, owner, caller.UserId(), ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.Ok(ToResponse(result.Value)) : result.Error.ToResult();
            })
            .WithName("RevokeDevice")
            .WithSummary("Revokes a device and ends its sessions.");
        return api;
    }

    public static RouteGroupBuilder MapSessionEndpoints(this RouteGroupBuilder api)
    {
        var sessions = api.MapGroup("/sessions");
        sessions.MapGet("/", async Task<Results<Ok<SessionListResponse>, ProblemHttpResult>> (bool? all, ClaimsPrincipal caller, ISessionService service, CancellationToken ct) =>
            {
                if (all == true && !caller.Has(Permissions.SessionsManage))
                {
                    return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "listing everyone's sessions needs sessions.manage");
                }

                var list = await service.ListSessionsAsync(all == true ? null : caller.UserId(), ct).ConfigureAwait(false);
                var current = caller.SessionId();
                return TypedResults.Ok(new SessionListResponse(list.Select(s => new SessionResponse(
                    s.Id, s.UserId, s.Kind == SessionKind.Browser ? "browser" : "device", s.DeviceId, s.Client, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.RevokedAt, s.Id == current)).ToList()));
            })
            .WithName("ListSessions")
            .WithSummary("Your sessions, live and recently ended (all=true: everyone's, with sessions.manage).");

        sessions.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, ClaimsPrincipal caller, ISessionService service, CancellationToken ct) =>
            {
                var owner = caller.Has(Permissions.SessionsManage) ? null : caller.UserId();
                var result = await service.RevokeSessionAsync(id, owner, caller.UserId(), ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.NoContent() : result.Error.ToResult();
            })
            .WithName("RevokeSession")
            .WithSummary("Ends a session.");
        return api;
    }

    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", async (string? user, int? limit, IIdentityAudit audit, CancellationToken ct) =>
            {
                var entries = await audit.ListAsync(user, limit ?? 200, ct).ConfigureAwait(false);
                return TypedResults.Ok(new AuditListResponse(entries.Select(e => new AuditEntryResponse(e.Id, e.At, e.Event, e.UserId, e.Actor, e.Client, e.Detail)).ToList()));
            })
            .RequirePermission(Permissions.AuditRead)
            .WithName("ListAudit")
            .WithSummary("Identity audit events, newest first (user=ID filters; limit ≤ 1000).");
        return api;
    }

    internal static DeviceResponse ToResponse(DeviceRecord d) => new(d.Id, d.UserId, d.Name, d.Did, d.CreatedAt, d.LastSeenAt, d.RevokedAt);
}
