namespace GreyOS.Abstractions.Storage;

/// <summary>
/// One versioned schema step owned by a component (e.g. <c>identity</c>). Versions of a component
/// start at 1 and grow by one; a published migration is never edited, only followed by a new one.
/// Components register theirs in DI; the storage adapter applies the pending ones at start.
/// </summary>
public sealed record SchemaMigration(string Component, int Version, string Description, string Sql);
