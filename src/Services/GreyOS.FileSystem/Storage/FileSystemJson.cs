using System.Text.Json.Serialization;

namespace GreyOS.FileSystem.Storage;

/// <summary>JSON the file system passes to SQLite (<c>json_each</c> parameters), source-generated.</summary>
[JsonSerializable(typeof(IReadOnlyCollection<string>))]
internal sealed partial class FileSystemJson : JsonSerializerContext;
