using System.Text.Json;
using System.Text.Json.Serialization;
using GreyOS.Protocol;

namespace GreyOS.Cli;

/// <summary><c>greyos status --json</c>.</summary>
internal sealed record StatusOutput(
    string Node,
    string Status,
    bool Ready,
    string Version,
    string Instance,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    bool SetupPending);

/// <summary><c>greyos whoami --json</c>.</summary>
internal sealed record WhoamiOutput(string Node, SessionInfo Session);

/// <summary><c>greyos ps --json</c>.</summary>
internal sealed record ProcessListOutput(string Node, IReadOnlyList<ProcessResponse> Processes);

/// <summary><c>greyos user list --json</c>.</summary>
internal sealed record UserListOutput(string Node, IReadOnlyList<UserResponse> Users);

/// <summary><c>greyos group list --json</c>.</summary>
internal sealed record GroupListOutput(string Node, IReadOnlyList<GroupResponse> Groups);

/// <summary><c>greyos role list --json</c>.</summary>
internal sealed record RoleListOutput(string Node, IReadOnlyList<RoleResponse> Roles, IReadOnlyList<string> KnownPermissions);

/// <summary><c>greyos device list --json</c>: <paramref name="CurrentDeviceId"/> is this computer's device (the stored key's).</summary>
internal sealed record DeviceListOutput(string Node, string? CurrentDeviceId, IReadOnlyList<DeviceResponse> Devices);

/// <summary><c>greyos session list --json</c>.</summary>
internal sealed record SessionListOutput(string Node, IReadOnlyList<SessionResponse> Sessions);

/// <summary>Source-generated JSON of the CLI's own documents (machine output, credential file).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(StatusOutput))]
[JsonSerializable(typeof(WhoamiOutput))]
[JsonSerializable(typeof(ProcessListOutput))]
[JsonSerializable(typeof(ProcessResponse))]
[JsonSerializable(typeof(UserListOutput))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(GroupListOutput))]
[JsonSerializable(typeof(GroupResponse))]
[JsonSerializable(typeof(RoleListOutput))]
[JsonSerializable(typeof(DeviceListOutput))]
[JsonSerializable(typeof(SessionListOutput))]
[JsonSerializable(typeof(CredentialsFile))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
