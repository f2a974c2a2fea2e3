using System.Data.Common;
using System.Text.RegularExpressions;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Storage;
using GreyOS.Identity.Audit;
using GreyOS.Identity.Passwords;
using GreyOS.Identity.Sessions;
using GreyOS.Identity.Srp;

namespace GreyOS.Identity.Users;

/// <summary>
/// Users, groups (nested) and roles in the identity schema. Names are case-insensitive and unique
/// per kind; ids are <c>usr_</c>/<c>grp_</c> + a time-ordered GUID. The node always keeps one
/// active administrator: changes that would remove the last one are refused.
/// </summary>
internal sealed partial class UserDirectory(IDatabase database, IdentityAudit audit, NodeSrp srp, SessionCache sessions, TimeProvider time) : IUserDirectory
{
    /// <summary>Nested groups are resolved to this depth; deeper nesting is ignored (and refused when added).</summary>
    public const int MaxGroupDepth = 16;

    private const int MaxDisplayName = 128;

    public async ValueTask<Result<UserRecord>> CreateUserAsync(NewUser user, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (CheckName(user.Name, "user") is { } badName)
        {
            return badName;
        }

        if (CheckDisplayName(user.DisplayName) is { } badDisplay)
        {
            return badDisplay;
        }

        if (user.QuotaBytes is < 0)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "the quota must not be negative");
        }

        if (user.Password is not null && PasswordHasher.CheckPolicy(user.Password) is { } weak)
        {
            return weak;
        }

        var roles = user.Roles is { Count: > 0 } given ? given.Distinct(StringComparer.OrdinalIgnoreCase).ToList() : [BuiltInRoles.User];
        var credentials = user.Password is null ? null : await PasswordCredentials.DeriveAsync(srp.Server, user.Name, user.Password, cancellationToken).ConfigureAwait(false);

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindUserIdAsync(connection, transaction, user.Name, cancellationToken).ConfigureAwait(false) is not null)
        {
            return GreyError.Conflict(ErrorCodes.UserExists, $"a user named '{user.Name}' already exists");
        }

        if (await CheckRolesAsync(connection, transaction, roles, cancellationToken).ConfigureAwait(false) is { } badRole)
        {
            return badRole;
        }

        var id = "usr_" + Guid.CreateVersion7().ToString("N");
        await using (var insert = connection.CreateCommand(
            "INSERT INTO users (id, name, display_name, status, quota_bytes, created_at) VALUES ($id, $name, $display, 'active', $quota, $now);", transaction)
            .With("$id", id).With("$name", user.Name).With("$display", user.DisplayName ?? string.Empty)
            .With("$quota", user.QuotaBytes ?? 0).With("$now", time.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await SetRolesAsync(connection, transaction, id, roles, cancellationToken).ConfigureAwait(false);
        if (credentials is not null)
        {
            await credentials.WriteAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await audit.WriteAsync(AuditEvents.UserCreated, id, actor, null, $"name={user.Name} roles={string.Join(',', roles)}", cancellationToken).ConfigureAwait(false);
        return (await FindUserAsync(id, cancellationToken).ConfigureAwait(false))!;
    }

    public async ValueTask<UserRecord?> FindUserAsync(string idOrName, CancellationToken cancellationToken)
    {
        var users = await QueryUsersAsync("WHERE u.id = $key OR u.name = $key", idOrName, cancellationToken).ConfigureAwait(false);
        return users.Count == 0 ? null : users[0];
    }

    public async ValueTask<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken cancellationToken) =>
        await QueryUsersAsync(string.Empty, null, cancellationToken).ConfigureAwait(false);

    public async ValueTask<Result<UserRecord>> UpdateUserAsync(string idOrName, UserChange change, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (CheckDisplayName(change.DisplayName) is { } badDisplay)
        {
            return badDisplay;
        }

        if (change.QuotaBytes is < 0)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "the quota must not be negative");
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindUserIdAsync(connection, transaction, idOrName, cancellationToken).ConfigureAwait(false) is not { } id)
        {
            return UserNotFound(idOrName);
        }

        List<string>? roles = null;
        if (change.Roles is not null)
        {
            roles = change.Roles.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (await CheckRolesAsync(connection, transaction, roles, cancellationToken).ConfigureAwait(false) is { } badRole)
            {
                return badRole;
            }

            await SetRolesAsync(connection, transaction, id, roles, cancellationToken).ConfigureAwait(false);
        }

        await using (var update = connection.CreateCommand(
            """
            UPDATE users SET display_name = coalesce($display, display_name), status = coalesce($status, status),
                quota_bytes = coalesce($quota, quota_bytes) WHERE id = $id;
            """, transaction)
            .With("$display", change.DisplayName).With("$status", change.Status is { } s ? StatusName(s) : null)
            .With("$quota", change.QuotaBytes).With("$id", id))
        {
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (change.Status == UserStatus.Disabled)
        {
            await RevokeSessionsAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
        }

        if (!await HasActiveAdminAsync(connection, transaction, cancellationToken).ConfigureAwait(false))
        {
            return LastAdmin();
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        sessions.RemoveUser(id);
        await audit.WriteAsync(AuditEvents.UserChanged, id, actor, null, Describe(change, roles), cancellationToken).ConfigureAwait(false);
        return (await FindUserAsync(id, cancellationToken).ConfigureAwait(false))!;
    }

    public async ValueTask<Result<UserRecord>> SetPasswordAsync(string idOrName, string password, string actor, CancellationToken cancellationToken)
    {
        if (PasswordHasher.CheckPolicy(password) is { } weak)
        {
            return weak;
        }

        if (await FindUserAsync(idOrName, cancellationToken).ConfigureAwait(false) is not { } user)
        {
            return UserNotFound(idOrName);
        }

        var credentials = await PasswordCredentials.DeriveAsync(srp.Server, user.Name, password, cancellationToken).ConfigureAwait(false);
        await using (var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await credentials.WriteAsync(connection, null, user.Id, cancellationToken).ConfigureAwait(false);
        }

        await audit.WriteAsync(AuditEvents.PasswordSet, user.Id, actor, null, null, cancellationToken).ConfigureAwait(false);
        return user;
    }

    public async ValueTask<Result<UserRecord>> DeleteUserAsync(string idOrName, string actor, CancellationToken cancellationToken)
    {
        if (await FindUserAsync(idOrName, cancellationToken).ConfigureAwait(false) is not { } user)
        {
            return UserNotFound(idOrName);
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var delete = connection.CreateCommand(
            """
            DELETE FROM group_members WHERE member_kind = 'user' AND member_id = $id;
            DELETE FROM users WHERE id = $id;
            """, transaction).With("$id", user.Id))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!await HasActiveAdminAsync(connection, transaction, cancellationToken).ConfigureAwait(false))
        {
            return LastAdmin();
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        sessions.RemoveUser(user.Id);
        await audit.WriteAsync(AuditEvents.UserDeleted, user.Id, actor, null, $"name={user.Name}", cancellationToken).ConfigureAwait(false);
        return user;
    }

    public async ValueTask<IReadOnlySet<string>> PermissionsOfAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand(
            """
            SELECT r.permissions FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.name = ur.role
            WHERE u.id = $id AND u.status = 'active';
            """).With("$id", userId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var permissions = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            permissions.UnionWith(reader.GetString(0).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        return permissions;
    }

    // ------------------------------------------------------------------ groups

    public async ValueTask<Result<GroupRecord>> CreateGroupAsync(string name, string actor, CancellationToken cancellationToken)
    {
        if (CheckName(name, "group") is { } bad)
        {
            return bad;
        }

        await using (var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var insert = connection.CreateCommand("INSERT INTO groups (id, name, created_at) VALUES ($id, $name, $now) ON CONFLICT DO NOTHING;")
            .With("$id", "grp_" + Guid.CreateVersion7().ToString("N")).With("$name", name).With("$now", time.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return GreyError.Conflict(ErrorCodes.GroupExists, $"a group named '{name}' already exists");
            }
        }

        var group = (await FindGroupAsync(name, cancellationToken).ConfigureAwait(false))!;
        await audit.WriteAsync(AuditEvents.GroupChanged, null, actor, null, $"created {group.Id} name={name}", cancellationToken).ConfigureAwait(false);
        return group;
    }

    public async ValueTask<GroupRecord?> FindGroupAsync(string idOrName, CancellationToken cancellationToken)
    {
        var groups = await QueryGroupsAsync("WHERE id = $key OR name = $key", idOrName, cancellationToken).ConfigureAwait(false);
        return groups.Count == 0 ? null : groups[0];
    }

    public async ValueTask<IReadOnlyList<GroupRecord>> ListGroupsAsync(CancellationToken cancellationToken) =>
        await QueryGroupsAsync(string.Empty, null, cancellationToken).ConfigureAwait(false);

    public async ValueTask<Result<GroupRecord>> AddMemberAsync(string group, GroupMemberKind kind, string member, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindGroupIdAsync(connection, transaction, group, cancellationToken).ConfigureAwait(false) is not { } groupId)
        {
            return GroupNotFound(group);
        }

        string memberId;
        if (kind == GroupMemberKind.User)
        {
            if (await FindUserIdAsync(connection, transaction, member, cancellationToken).ConfigureAwait(false) is not { } userId)
            {
                return UserNotFound(member);
            }

            memberId = userId;
        }
        else
        {
            if (await FindGroupIdAsync(connection, transaction, member, cancellationToken).ConfigureAwait(false) is not { } childId)
            {
                return GroupNotFound(member);
            }

            // The new edge group → child closes a cycle if group is already reachable from child.
            var below = await DescendantGroupsAsync(connection, transaction, childId, cancellationToken).ConfigureAwait(false);
            if (childId == groupId || below.Groups.Contains(groupId))
            {
                return GreyError.Conflict(ErrorCodes.GroupCycle, $"group '{member}' contains '{group}' already: adding it would make a cycle");
            }

            if (await DepthAboveAsync(connection, transaction, groupId, cancellationToken).ConfigureAwait(false) + 1 + below.Depth > MaxGroupDepth)
            {
                return GreyError.Invalid(ErrorCodes.InvalidRequest, $"groups nest at most {MaxGroupDepth} levels deep");
            }

            memberId = childId;
        }

        await using (var insert = connection.CreateCommand(
            "INSERT INTO group_members (group_id, member_kind, member_id) VALUES ($group, $kind, $member) ON CONFLICT DO NOTHING;", transaction)
            .With("$group", groupId).With("$kind", KindName(kind)).With("$member", memberId))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await audit.WriteAsync(AuditEvents.GroupChanged, kind == GroupMemberKind.User ? memberId : null, actor, null, $"{groupId} +{KindName(kind)} {memberId}", cancellationToken).ConfigureAwait(false);
        return (await FindGroupAsync(groupId, cancellationToken).ConfigureAwait(false))!;
    }

    public async ValueTask<Result<GroupRecord>> RemoveMemberAsync(string group, GroupMemberKind kind, string member, string actor, CancellationToken cancellationToken)
    {
        if (await FindGroupAsync(group, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return GroupNotFound(group);
        }

        var target = found.Members.FirstOrDefault(m => m.Kind == kind && (m.Id == member || string.Equals(m.Name, member, StringComparison.OrdinalIgnoreCase)));
        if (target is null)
        {
            return GreyError.NotFound(kind == GroupMemberKind.User ? ErrorCodes.UserNotFound : ErrorCodes.GroupNotFound, $"'{member}' is not a member of '{found.Name}'");
        }

        await using (var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var delete = connection.CreateCommand("DELETE FROM group_members WHERE group_id = $group AND member_kind = $kind AND member_id = $member;")
            .With("$group", found.Id).With("$kind", KindName(kind)).With("$member", target.Id))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await audit.WriteAsync(AuditEvents.GroupChanged, kind == GroupMemberKind.User ? target.Id : null, actor, null, $"{found.Id} -{KindName(kind)} {target.Id}", cancellationToken).ConfigureAwait(false);
        return (await FindGroupAsync(found.Id, cancellationToken).ConfigureAwait(false))!;
    }

    public async ValueTask<Result<GroupRecord>> DeleteGroupAsync(string group, string actor, CancellationToken cancellationToken)
    {
        if (await FindGroupAsync(group, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return GroupNotFound(group);
        }

        await using (var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var delete = connection.CreateCommand(
            """
            DELETE FROM group_members WHERE member_kind = 'group' AND member_id = $id;
            DELETE FROM groups WHERE id = $id;
            """).With("$id", found.Id))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await audit.WriteAsync(AuditEvents.GroupChanged, null, actor, null, $"deleted {found.Id} name={found.Name}", cancellationToken).ConfigureAwait(false);
        return found;
    }

    public async ValueTask<IReadOnlyList<string>> GroupsOfUserAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand(
            $"""
            WITH RECURSIVE up(group_id, depth) AS (
                SELECT group_id, 1 FROM group_members WHERE member_kind = 'user' AND member_id = $user
                UNION
                SELECT m.group_id, up.depth + 1 FROM group_members m JOIN up ON m.member_kind = 'group' AND m.member_id = up.group_id
                WHERE up.depth < {MaxGroupDepth}
            )
            SELECT DISTINCT group_id FROM up ORDER BY group_id;
            """).With("$user", userId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var groups = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            groups.Add(reader.GetString(0));
        }

        return groups;
    }

    // ------------------------------------------------------------------ roles

    public async ValueTask<IReadOnlyList<RoleRecord>> ListRolesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand("SELECT name, permissions, built_in FROM roles ORDER BY built_in DESC, name;");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var roles = new List<RoleRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            roles.Add(new RoleRecord(reader.GetString(0), reader.GetString(1).Split(' ', StringSplitOptions.RemoveEmptyEntries), reader.GetInt64(2) != 0));
        }

        return roles;
    }

    public async ValueTask<Result<RoleRecord>> SaveRoleAsync(string name, IReadOnlyList<string> permissions, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        if (CheckName(name, "role") is { } bad)
        {
            return bad;
        }

        if (permissions.FirstOrDefault(p => !Permissions.IsValid(p)) is { } unknown)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"unknown permission '{unknown}'; known: *, {string.Join(", ", Permissions.Known)} (or family.*)");
        }

        if (BuiltInRoles.PermissionsOf.Keys.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            return BuiltIn(name);
        }

        var set = permissions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        await using (var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var upsert = connection.CreateCommand(
            """
            INSERT INTO roles (name, permissions, built_in, created_at) VALUES ($name, $permissions, 0, $now)
            ON CONFLICT (name) DO UPDATE SET permissions = excluded.permissions;
            """).With("$name", name).With("$permissions", string.Join(' ', set)).With("$now", time.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        sessions.Clear();
        await audit.WriteAsync(AuditEvents.RoleChanged, null, actor, null, $"role {name} = {string.Join(' ', set)}", cancellationToken).ConfigureAwait(false);
        return (await ListRolesAsync(cancellationToken).ConfigureAwait(false)).First(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    public async ValueTask<Result<RoleRecord>> DeleteRoleAsync(string name, string actor, CancellationToken cancellationToken)
    {
        var role = (await ListRolesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
        if (role is null)
        {
            return GreyError.NotFound(ErrorCodes.RoleNotFound, $"no role '{name}'");
        }

        if (role.BuiltIn)
        {
            return BuiltIn(role.Name);
        }

        await using (var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var delete = connection.CreateCommand("DELETE FROM roles WHERE name = $name;").With("$name", role.Name))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        sessions.Clear();
        await audit.WriteAsync(AuditEvents.RoleChanged, null, actor, null, $"deleted role {role.Name}", cancellationToken).ConfigureAwait(false);
        return role;
    }

    // ------------------------------------------------------------------ helpers

    internal static GreyError? CheckName(string? name, string what) =>
        name is not null && NamePattern().IsMatch(name) && !string.Equals(name, "system", StringComparison.OrdinalIgnoreCase)
            ? null
            : GreyError.Invalid(ErrorCodes.InvalidRequest, $"a {what} name has 1–64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit ('system' is reserved)");

    private static GreyError? CheckDisplayName(string? displayName) =>
        displayName is null || (displayName.Length <= MaxDisplayName && !displayName.Any(char.IsControl))
            ? null
            : GreyError.Invalid(ErrorCodes.InvalidRequest, $"a display name has at most {MaxDisplayName} characters and no control characters");

    private static GreyError UserNotFound(string key) => GreyError.NotFound(ErrorCodes.UserNotFound, $"no user '{key}'");

    private static GreyError GroupNotFound(string key) => GreyError.NotFound(ErrorCodes.GroupNotFound, $"no group '{key}'");

    private static GreyError LastAdmin() =>
        GreyError.Conflict(ErrorCodes.LastAdmin, "the node must keep at least one active user with the admin role");

    private static GreyError BuiltIn(string name) =>
        GreyError.Invalid(ErrorCodes.RoleBuiltIn, $"'{name}' is a built-in role: it cannot be changed or deleted");

    private static string StatusName(UserStatus status) => status == UserStatus.Active ? "active" : "disabled";

    private static string KindName(GroupMemberKind kind) => kind == GroupMemberKind.User ? "user" : "group";

    private static string Describe(UserChange change, List<string>? roles) => string.Join(' ', new[]
    {
        change.DisplayName is null ? null : "display_name",
        change.Status is null ? null : $"status={StatusName(change.Status.Value)}",
        change.QuotaBytes is null ? null : $"quota={change.QuotaBytes}",
        roles is null ? null : $"roles={string.Join(',', roles)}",
    }.Where(s => s is not null));

    private static async Task<string?> FindUserIdAsync(DbConnection connection, DbTransaction transaction, string key, CancellationToken cancellationToken)
    {
        await using var find = connection.CreateCommand("SELECT id FROM users WHERE id = $key OR name = $key;", transaction).With("$key", key);
        return await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private static async Task<string?> FindGroupIdAsync(DbConnection connection, DbTransaction transaction, string key, CancellationToken cancellationToken)
    {
        await using var find = connection.CreateCommand("SELECT id FROM groups WHERE id = $key OR name = $key;", transaction).With("$key", key);
        return await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private static async Task<GreyError?> CheckRolesAsync(DbConnection connection, DbTransaction transaction, List<string> roles, CancellationToken cancellationToken)
    {
        foreach (var role in roles)
        {
            await using var find = connection.CreateCommand("SELECT 1 FROM roles WHERE name = $name;", transaction).With("$name", role);
            if (await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return GreyError.Invalid(ErrorCodes.RoleNotFound, $"no role '{role}'");
            }
        }

        return null;
    }

    private static async Task SetRolesAsync(DbConnection connection, DbTransaction transaction, string userId, List<string> roles, CancellationToken cancellationToken)
    {
        await using (var clear = connection.CreateCommand("DELETE FROM user_roles WHERE user_id = $id;", transaction).With("$id", userId))
        {
            await clear.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var role in roles)
        {
            await using var insert = connection.CreateCommand(
                "INSERT INTO user_roles (user_id, role) SELECT $id, name FROM roles WHERE name = $role;", transaction).With("$id", userId).With("$role", role);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RevokeSessionsAsync(DbConnection connection, DbTransaction transaction, string userId, CancellationToken cancellationToken)
    {
        await using var revoke = connection.CreateCommand("UPDATE sessions SET revoked_at = $now WHERE user_id = $id AND revoked_at IS NULL;", transaction)
            .With("$now", time.GetUtcNow().ToUnixTimeMilliseconds()).With("$id", userId);
        await revoke.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> HasActiveAdminAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var find = connection.CreateCommand(
            """
            SELECT EXISTS (SELECT 1 FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.name = ur.role
                           WHERE u.status = 'active' AND (' ' || r.permissions || ' ') LIKE '% * %');
            """, transaction);
        return Convert.ToInt64(await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    private static async Task<(HashSet<string> Groups, int Depth)> DescendantGroupsAsync(DbConnection connection, DbTransaction transaction, string groupId, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand(
            $"""
            WITH RECURSIVE down(group_id, depth) AS (
                SELECT member_id, 1 FROM group_members WHERE group_id = $group AND member_kind = 'group'
                UNION
                SELECT m.member_id, down.depth + 1 FROM group_members m JOIN down ON m.group_id = down.group_id AND m.member_kind = 'group'
                WHERE down.depth < {MaxGroupDepth + 1}
            )
            SELECT group_id, depth FROM down;
            """, transaction).With("$group", groupId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var groups = new HashSet<string>(StringComparer.Ordinal);
        var depth = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            groups.Add(reader.GetString(0));
            depth = Math.Max(depth, (int)reader.GetInt64(1));
        }

        return (groups, depth);
    }

    private static async Task<int> DepthAboveAsync(DbConnection connection, DbTransaction transaction, string groupId, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand(
            $"""
            WITH RECURSIVE up(group_id, depth) AS (
                SELECT group_id, 1 FROM group_members WHERE member_kind = 'group' AND member_id = $group
                UNION
                SELECT m.group_id, up.depth + 1 FROM group_members m JOIN up ON m.member_kind = 'group' AND m.member_id = up.group_id
                WHERE up.depth < {MaxGroupDepth + 1}
            )
            SELECT coalesce(max(depth), 0) FROM up;
            """, transaction).With("$group", groupId);
        return Convert.ToInt32(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<List<UserRecord>> QueryUsersAsync(string where, string? key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand(
            $"""
            SELECT u.id, u.name, u.display_name, u.status, u.quota_bytes, u.created_at,
                   (SELECT group_concat(role, ' ') FROM (SELECT role FROM user_roles WHERE user_id = u.id ORDER BY role))
            FROM users u {where} ORDER BY u.name;
            """).With("$key", key);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var users = new List<UserRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            users.Add(new UserRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3) == "active" ? UserStatus.Active : UserStatus.Disabled,
                reader.GetInt64(4),
                reader.IsDBNull(6) ? [] : reader.GetString(6).Split(' ', StringSplitOptions.RemoveEmptyEntries),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        }

        return users;
    }

    private async Task<List<GroupRecord>> QueryGroupsAsync(string where, string? key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var groups = new List<(string Id, string Name, long CreatedAt)>();
        await using (var select = connection.CreateCommand($"SELECT id, name, created_at FROM groups {where} ORDER BY name;").With("$key", key))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                groups.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        var records = new List<GroupRecord>(groups.Count);
        foreach (var group in groups)
        {
            await using var members = connection.CreateCommand(
                """
                SELECT m.member_kind, m.member_id, coalesce(u.name, g.name, m.member_id) FROM group_members m
                LEFT JOIN users u ON m.member_kind = 'user' AND u.id = m.member_id
                LEFT JOIN groups g ON m.member_kind = 'group' AND g.id = m.member_id
                WHERE m.group_id = $id ORDER BY m.member_kind DESC, 3;
                """).With("$id", group.Id);
            await using var reader = await members.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<GroupMember>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new GroupMember(reader.GetString(0) == "user" ? GroupMemberKind.User : GroupMemberKind.Group, reader.GetString(1), reader.GetString(2)));
            }

            records.Add(new GroupRecord(group.Id, group.Name, list, DateTimeOffset.FromUnixTimeMilliseconds(group.CreatedAt)));
        }

        return records;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}
