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

/// <summary>Source-generated JSON of the CLI's own documents (machine output, credential file).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(StatusOutput))]
[JsonSerializable(typeof(WhoamiOutput))]
[JsonSerializable(typeof(ProcessListOutput))]
[JsonSerializable(typeof(ProcessResponse))]
[JsonSerializable(typeof(CredentialsFile))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
