using System.Security.Claims;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Protocol;
using GreyOS.Server.Http;

namespace GreyOS.Server.Endpoints;

/// <summary>Users (admins: <c>users.*</c>), the caller's own record, password and usage profile.</summary>
internal static class UserEndpoints
{
    public static RouteGroupBuilder MapUserEndpoints(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users");
        users.MapGet("/", async (IUserDirectory directory, CancellationToken ct) =>
                TypedResults.Ok(new UserListResponse((await directory.ListUsersAsync(ct).ConfigureAwait(false)).Select(ToResponse).ToList())))
            .RequirePermission(Permissions.UsersRead)
            .WithName("ListUsers")
            .WithSummary("Every user.");

        users.MapPost("/", async Task<Results<Created<UserResponse>, ProblemHttpResult>> (CreateUserRequest? request, ClaimsPrincipal caller, IUserDirectory directory, CancellationToken ct) =>
            {
                if (request is null)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"name\", \"displayName\"?, \"password\"?, \"roles\"?, \"quotaBytes\"?}");
                }

                var result = await directory.CreateUserAsync(new NewUser(request.Name, request.DisplayName, request.Password, request.Roles, request.QuotaBytes), caller.UserId(), ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.Created($"/api/v1/users/{result.Value.Id}", ToResponse(result.Value)) : result.Error.ToResult();
            })
            .RequirePermission(Permissions.UsersWrite)
            .WithName("CreateUser")
            .WithSummary("Creates a user (roles default to 'user').");

        users.MapGet("/me", async Task<Results<Ok<UserResponse>, ProblemHttpResult>> (ClaimsPrincipal caller, IUserDirectory directory, CancellationToken ct) =>
                await directory.FindUserAsync(caller.UserId(), ct).ConfigureAwait(false) is { } user ? TypedResults.Ok(ToResponse(user)) : NotFound(caller.UserId()))
            .WithName("GetMe")
            .WithSummary("The signed-in user.");

        users.MapGet("/me/usage", async (ClaimsPrincipal caller, IIdentityAudit audit, HttpContext context, CancellationToken ct) =>
            {
                var entries = await audit.UsageOfAsync(caller.UserId(), ct).ConfigureAwait(false);
                if (context.Request.Query.ContainsKey("download"))
                {
                    context.Response.Headers.ContentDisposition = "attachment; filename=\"greyos-usage.json\"";
                }

                return TypedResults.Ok(new UsageResponse(caller.UserId(), entries.Select(e => new UsageEntryResponse(e.App, e.DeviceId, e.Place, e.Count, e.FirstAt, e.LastAt)).ToList()));
            })
            .WithName("GetMyUsage")
            .WithSummary("Your usage profile: which apps you used, from which devices and places, how often (download=1 to export).");

        users.MapDelete("/me/usage", async (ClaimsPrincipal caller, IIdentityAudit audit, CancellationToken ct) =>
            {
                await audit.DeleteUsageAsync(caller.UserId(), ct).ConfigureAwait(false);
                return TypedResults.NoContent();
            })
            .WithName("DeleteMyUsage")
            .WithSummary("Deletes your usage profile.");

        users.MapGet("/{user}", async Task<Results<Ok<UserResponse>, ProblemHttpResult>> (string user, IUserDirectory directory, CancellationToken ct) =>
                await directory.FindUserAsync(user, ct).ConfigureAwait(false) is { } found ? TypedResults.Ok(ToResponse(found)) : NotFound(user))
            .RequirePermission(Permissions.UsersRead)
            .WithName("GetUser")
            .WithSummary("One user, by id or name.");

        users.MapPatch("/{user}", async Task<Results<Ok<UserResponse>, ProblemHttpResult>> (string user, UpdateUserRequest? request, HttpContext context, IUserDirectory directory, TimeProvider time, CancellationToken ct) =>
            {
                if (request is null || request.Status is not (null or "active" or "disabled"))
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"displayName\"?, \"status\"?: active|disabled, \"quotaBytes\"?, \"roles\"?}");
                }

                if ((request.Roles is not null || request.Status is not null) && context.User.FreshUntil() < time.GetUtcNow())
                {
                    return (ProblemHttpResult)AuthorizationConventions.StepUpRequired();
                }

                var status = request.Status switch { "active" => UserStatus.Active, "disabled" => UserStatus.Disabled, _ => (UserStatus?)null };
                var result = await directory.UpdateUserAsync(user, new UserChange(request.DisplayName, status, request.QuotaBytes, request.Roles), context.User.UserId(), ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.Ok(ToResponse(result.Value)) : result.Error.ToResult();
            })
            .RequirePermission(Permissions.UsersWrite)
            .WithName("UpdateUser")
            .WithSummary("Changes a user; roles and status changes need a fresh proof (step-up).");

        users.MapPut("/{user}/password", async Task<Results<NoContent, ProblemHttpResult>> (string user, SetPasswordRequest? request, ClaimsPrincipal caller, IUserDirectory directory, CancellationToken ct) =>
            {
                if (request is null || request.Password is null)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"password\": \"…\"}");
                }

                var target = await directory.FindUserAsync(user, ct).ConfigureAwait(false);
                if (target is null || (target.Id != caller.UserId() && !caller.Has(Permissions.UsersWrite)))
                {
                    return target is null || !caller.Has(Permissions.UsersRead) ? NotFound(user) : Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "you may only set your own password");
                }

                var result = await directory.SetPasswordAsync(target.Id, request.Password, caller.UserId(), ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.NoContent() : result.Error.ToResult();
            })
            .RequireStepUp()
            .WithName("SetPassword")
            .WithSummary("Sets a password (your own, or anyone's with users.write); needs a fresh proof.");

        users.MapDelete("/{user}", async Task<Results<Ok<UserResponse>, ProblemHttpResult>> (string user, ClaimsPrincipal caller, IUserDirectory directory, CancellationToken ct) =>
            {
                var result = await directory.DeleteUserAsync(user, caller.UserId(), ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.Ok(ToResponse(result.Value)) : result.Error.ToResult();
            })
            .RequirePermission(Permissions.UsersWrite)
            .RequireStepUp()
            .WithName("DeleteUser")
            .WithSummary("Deletes a user with their devices and sessions; needs a fresh proof.");
        return api;
    }

    internal static UserResponse ToResponse(UserRecord u) =>
        new(u.Id, u.Name, u.DisplayName, u.Status == UserStatus.Active ? "active" : "disabled", u.QuotaBytes, u.Roles, u.CreatedAt);

    private static ProblemHttpResult NotFound(string user) => Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.UserNotFound, $"no user '{user}'");
}
