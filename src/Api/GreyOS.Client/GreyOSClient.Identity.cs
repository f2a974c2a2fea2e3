using System.Globalization;
using System.Net.Http.Json;
using GreyOS.Protocol;

namespace GreyOS.Client;

/// <summary>Users, groups, roles, devices, sessions, the audit trail and the usage profile.</summary>
public sealed partial class GreyOSClient
{
    /// <summary><c>GET /api/v1/users</c>.</summary>
    public async Task<IReadOnlyList<UserResponse>> ListUsersAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, Path("users"), null, ProtocolJsonContext.Default.UserListResponse, cancellationToken).ConfigureAwait(false)).Users;

    /// <summary><c>GET /api/v1/users/{user}</c> (id or name; <c>me</c> for yourself).</summary>
    public Task<UserResponse> GetUserAsync(string user, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, Path("users", user), null, ProtocolJsonContext.Default.UserResponse, cancellationToken);

    /// <summary><c>POST /api/v1/users</c>.</summary>
    public Task<UserResponse> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, Path("users"), JsonContent.Create(request, ProtocolJsonContext.Default.CreateUserRequest), ProtocolJsonContext.Default.UserResponse, cancellationToken);

    /// <summary><c>PATCH /api/v1/users/{user}</c>.</summary>
    public Task<UserResponse> UpdateUserAsync(string user, UpdateUserRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, Path("users", user), JsonContent.Create(request, ProtocolJsonContext.Default.UpdateUserRequest), ProtocolJsonContext.Default.UserResponse, cancellationToken);

    /// <summary><c>PUT /api/v1/users/{user}/password</c>.</summary>
    public Task SetPasswordAsync(string user, string password, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Put, Path("users", user, "password"), JsonContent.Create(new SetPasswordRequest(password), ProtocolJsonContext.Default.SetPasswordRequest), null, cancellationToken);

    /// <summary><c>DELETE /api/v1/users/{user}</c>.</summary>
    public Task<UserResponse> DeleteUserAsync(string user, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Path("users", user), null, ProtocolJsonContext.Default.UserResponse, cancellationToken);

    /// <summary><c>GET /api/v1/users/me/usage</c>: your usage profile.</summary>
    public Task<UsageResponse> GetMyUsageAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, Path("users", "me", "usage"), null, ProtocolJsonContext.Default.UsageResponse, cancellationToken);

    /// <summary><c>DELETE /api/v1/users/me/usage</c>.</summary>
    public Task DeleteMyUsageAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, Path("users", "me", "usage"), null, null, cancellationToken);

    /// <summary><c>GET /api/v1/groups</c>.</summary>
    public async Task<IReadOnlyList<GroupResponse>> ListGroupsAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, Path("groups"), null, ProtocolJsonContext.Default.GroupListResponse, cancellationToken).ConfigureAwait(false)).Groups;

    /// <summary><c>GET /api/v1/groups/{group}</c>.</summary>
    public Task<GroupResponse> GetGroupAsync(string group, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, Path("groups", group), null, ProtocolJsonContext.Default.GroupResponse, cancellationToken);

    /// <summary><c>POST /api/v1/groups</c>.</summary>
    public Task<GroupResponse> CreateGroupAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, Path("groups"), JsonContent.Create(new CreateGroupRequest(name), ProtocolJsonContext.Default.CreateGroupRequest), ProtocolJsonContext.Default.GroupResponse, cancellationToken);

    /// <summary><c>DELETE /api/v1/groups/{group}</c>.</summary>
    public Task<GroupResponse> DeleteGroupAsync(string group, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Path("groups", group), null, ProtocolJsonContext.Default.GroupResponse, cancellationToken);

    /// <summary><c>PUT /api/v1/groups/{group}/members/{kind}/{member}</c>; kind is <c>user</c> or <c>group</c>.</summary>
    public Task<GroupResponse> AddGroupMemberAsync(string group, string kind, string member, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, Path("groups", group, "members", kind, member), null, ProtocolJsonContext.Default.GroupResponse, cancellationToken);

    /// <summary><c>DELETE /api/v1/groups/{group}/members/{kind}/{member}</c>.</summary>
    public Task<GroupResponse> RemoveGroupMemberAsync(string group, string kind, string member, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Path("groups", group, "members", kind, member), null, ProtocolJsonContext.Default.GroupResponse, cancellationToken);

    /// <summary><c>GET /api/v1/roles</c>.</summary>
    public Task<RoleListResponse> ListRolesAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, Path("roles"), null, ProtocolJsonContext.Default.RoleListResponse, cancellationToken);

    /// <summary><c>PUT /api/v1/roles/{name}</c>: create or replace a custom role.</summary>
    public Task<RoleResponse> SaveRoleAsync(string name, IReadOnlyList<string> permissions, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, Path("roles", name), JsonContent.Create(new SaveRoleRequest(permissions), ProtocolJsonContext.Default.SaveRoleRequest), ProtocolJsonContext.Default.RoleResponse, cancellationToken);

    /// <summary><c>DELETE /api/v1/roles/{name}</c>.</summary>
    public Task<RoleResponse> DeleteRoleAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Path("roles", name), null, ProtocolJsonContext.Default.RoleResponse, cancellationToken);

    /// <summary><c>GET /api/v1/devices</c> (user: someone else's, with devices.manage).</summary>
    public async Task<IReadOnlyList<DeviceResponse>> ListDevicesAsync(string? user = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, user is null ? Path("devices") : Query(Path("devices"), "user", user), null, ProtocolJsonContext.Default.DeviceListResponse, cancellationToken).ConfigureAwait(false)).Devices;

    /// <summary><c>POST /api/v1/devices</c>: registers another key for yourself (needs a fresh proof).</summary>
    public Task<DeviceResponse> AddDeviceAsync(string name, string did, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, Path("devices"), JsonContent.Create(new DeviceKey(name, did), ProtocolJsonContext.Default.DeviceKey), ProtocolJsonContext.Default.DeviceResponse, cancellationToken);

    /// <summary><c>DELETE /api/v1/devices/{id}</c>: revokes a device and its sessions.</summary>
    public Task<DeviceResponse> RevokeDeviceAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Path("devices", id), null, ProtocolJsonContext.Default.DeviceResponse, cancellationToken);

    /// <summary><c>GET /api/v1/sessions</c> (all: everyone's, with sessions.manage).</summary>
    public async Task<IReadOnlyList<SessionResponse>> ListSessionsAsync(bool all = false, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, all ? Query(Path("sessions"), "all", "true") : Path("sessions"), null, ProtocolJsonContext.Default.SessionListResponse, cancellationToken).ConfigureAwait(false)).Sessions;

    /// <summary><c>DELETE /api/v1/sessions/{id}</c>.</summary>
    public Task RevokeSessionAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, Path("sessions", id), null, null, cancellationToken);

    /// <summary><c>GET /api/v1/audit</c>.</summary>
    public async Task<IReadOnlyList<AuditEntryResponse>> ListAuditAsync(string? user = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var path = Path("audit");
        path = user is null ? path : Query(path, "user", user);
        path = limit is null ? path : Query(path, "limit", limit.Value.ToString(CultureInfo.InvariantCulture));
        return (await SendAsync(HttpMethod.Get, path, null, ProtocolJsonContext.Default.AuditListResponse, cancellationToken).ConfigureAwait(false)).Entries;
    }

    private static Uri Path(params string[] segments) =>
        new("api/v1/" + string.Join('/', segments.Select(Uri.EscapeDataString)), UriKind.Relative);

    private static Uri Query(Uri path, string name, string value)
    {
        var separator = path.OriginalString.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return new Uri($"{path.OriginalString}{separator}{name}={Uri.EscapeDataString(value)}", UriKind.Relative);
    }
}
