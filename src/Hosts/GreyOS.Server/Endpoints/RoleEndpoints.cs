using System.Security.Claims;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Protocol;
using GreyOS.Server.Http;

namespace GreyOS.Server.Endpoints;

/// <summary>Roles: the built-in ones and custom sets of permissions.</summary>
internal static class RoleEndpoints
{
    public static RouteGroupBuilder MapRoleEndpoints(this RouteGroupBuilder api)
    {
        var roles = api.MapGroup("/roles");
        roles.MapGet("/", async (IUserDirectory directory, CancellationToken ct) =>
                TypedResults.Ok(new RoleListResponse((await directory.ListRolesAsync(ct).ConfigureAwait(false)).Select(ToResponse).ToList(), Permissions.Known)))
            .RequirePermission(Permissions.RolesRead)
            .WithName("ListRoles")
            .WithSummary("Every role and the permission names a role may hold.");

        roles.MapPut("/{name}", async Task<Results<Ok<RoleResponse>, ProblemHttpResult>> (string name, SaveRoleRequest? request, ClaimsPrincipal caller, IUserDirectory directory, CancellationToken ct) =>
            {
                if (request?.Permissions is null)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"permissions\": [\"users.read\", …]}");
                }

                var result = await directory.SaveRoleAsync(name, request.Permissions, caller.UserId(), ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.Ok(ToResponse(result.Value)) : result.Error.ToResult();
            })
            .RequirePermission(Permissions.RolesWrite)
            .RequireStepUp()
            .WithName("SaveRole")
            .WithSummary("Creates or replaces a custom role; needs a fresh proof.");

        roles.MapDelete("/{name}", async Task<Results<Ok<RoleResponse>, ProblemHttpResult>> (string name, ClaimsPrincipal caller, IUserDirectory directory, CancellationToken ct) =>
            {
                var result = await directory.DeleteRoleAsync(name, caller.UserId(), ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.Ok(ToResponse(result.Value)) : result.Error.ToResult();
            })
            .RequirePermission(Permissions.RolesWrite)
            .RequireStepUp()
            .WithName("DeleteRole")
            .WithSummary("Deletes a custom role; needs a fresh proof.");
        return api;
    }

    private static RoleResponse ToResponse(RoleRecord r) => new(r.Name, r.Permissions, r.BuiltIn);
}
