using System.Text.Json;
using System.Text.Json.Serialization;

namespace GreyOS.Protocol;

/// <summary>Source-generated JSON for every wire type (camelCase, as on the wire).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ReadyResponse))]
[JsonSerializable(typeof(SetupRequest))]
[JsonSerializable(typeof(SetupResponse))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(LoginResponse))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(ProblemResponse))]
[JsonSerializable(typeof(ModuleResponse))]
[JsonSerializable(typeof(SpawnProcessRequest))]
[JsonSerializable(typeof(ProcessResponse))]
[JsonSerializable(typeof(ProcessListResponse))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
