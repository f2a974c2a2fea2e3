using System.Security.Claims;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Protocol;
using GreyOS.Server.Http;

namespace GreyOS.Server.Endpoints;

/// <summary>Groups and their members (users or groups, nested).</summary>
internal static class GroupEndpoints
{
    public static RouteGroupBuilder MapGroupEndpoints(this RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/groups");
        groups.MapGet("/", async (IUserDirectory directory, CancellationToken ct) =>
                TypedResults.Ok(new GroupListResponse((await directory.ListGroupsAsync(ct).ConfigureAwait(false)).Select(ToResponse).ToList())))
            .RequirePermission(Permissions.GroupsRead)
            .WithName("ListGroups")
            .WithSummary("Every group with its direct members.");

        groups.MapPost("/", async Task<Results<Created<GroupResponse>, ProblemHttpResult>> (CreateGroupRequest? request, ClaimsPrincipal caller, IUserDirectory directory, CancellationToken ct) =>
            {
                var result = await directory.CreateGroupAsync(request?.Name ?? string.Empty, caller.UserId(), ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.Created($"/api/v1/groups/{result.Value.Id}", ToResponse(result.Value)) : result.Error.ToResult();
            })
            .RequirePermission(Permissions.GroupsWrite)
            .WithName("CreateGroup")
            .WithSummary("Creates a group.");

        groups.MapGet("/{group}", async Task<Results<Ok<GroupResponse>, ProblemHttpResult>> (string group, IUserDirectory directory, CancellationToken ct) =>
                await directory.FindGroupAsync(group, ct).ConfigureAwait(false) is { } found
                    ? TypedResults.Ok(ToResponse(found))
                    : Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.GroupNotFound, $"no group '{group}'"))
            .RequirePermission(Permissions.GroupsRead)
            .WithName("GetGroup")
            .WithSummary("One group, by id or name.");

        groups.MapDelete("/{group}", async Task<Results<Ok<GroupResponse>, ProblemHttpResult>> (string group, ClaimsPrincipal caller, IUserDirectory directory, CancellationToken ct) =>
                Respond(await directory.DeleteGroupAsync(group, caller.UserId(), ct).ConfigureAwait(false)))
            .RequirePermission(Permissions.GroupsWrite)
            .WithName("DeleteGroup")
            .WithSummary("Deletes a group (its members stay).");

        groups.MapPut("/{group}/members/{kind}/{member}", async Task<Results<Ok<GroupResponse>, ProblemHttpResult>> (string group, string kind, string member, ClaimsPrincipal caller, IUserDirectory directory, CancellationToken ct) =>
                ParseKind(kind) is { } k
                    ? Respond(await directory.AddMemberAsync(group, k, member, caller.UserId(), ct).ConfigureAwait(false))
                    : BadKind())
            .RequirePermission(Permissions.GroupsWrite)
            .WithName("AddGroupMember")
            .WithSummary("Adds a user or a group (kind: user|group) to a group; cycles are refused.");

        groups.MapDelete("/{group}/members/{kind}/{member}", async Task<Results<Ok<GroupResponse>, ProblemHttpResult>> (string group, string kind, string member, ClaimsPrincipal caller, IUserDirectory directory, CancellationToken ct) =>
                ParseKind(kind) is { } k
                    ? Respond(await directory.RemoveMemberAsync(group, k, member, caller.UserId(), ct).ConfigureAwait(false))
                    : BadKind())
            .RequirePermission(Permissions.GroupsWrite)
            .WithName("RemoveGroupMember")
            .WithSummary("Removes a member from a group.");
        return api;
    }

    private static Results<Ok<GroupResponse>, ProblemHttpResult> Respond(Result<GroupRecord> result) =>
        result.IsSuccess ? TypedResults.Ok(ToResponse(result.Value)) : result.Error.ToResult();

    private static GroupMemberKind? ParseKind(string kind) => kind switch
    {
        "user" => GroupMemberKind.User,
        "group" => GroupMemberKind.Group,
        _ => null,
    };

    private static ProblemHttpResult BadKind() => Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "the member kind is 'user' or 'group'");

    private static GroupResponse ToResponse(GroupRecord g) =>
        new(g.Id, g.Name, g.Members.Select(m => new GroupMemberResponse(m.Kind == GroupMemberKind.User ? "user" : "group", m.Id, m.Name)).ToList(), g.CreatedAt);
}
