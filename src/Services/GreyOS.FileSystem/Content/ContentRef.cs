using System.Buffers.Binary;
using System.Security.Cryptography;

namespace GreyOS.FileSystem.Content;

/// <summary>One chunk of a content: its SHA-256 (64 lower-case hex characters) and its length (1 to <see cref="ChunkStore.ChunkSize"/> bytes).</summary>
internal sealed record ChunkRef
{
    /// <summary>A chunk reference; an invalid hash or length throws <see cref="ArgumentException"/>.</summary>
    public ChunkRef(string hash, int length)
    {
        ChunkStore.ThrowIfInvalidHash(hash);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, ChunkStore.ChunkSize);
        Hash = hash;
        Length = length;
    }

    /// <summary>The lower-case hex SHA-256 of the chunk's bytes; also its name in the store.</summary>
    public string Hash { get; }

    /// <summary>The chunk's length in bytes.</summary>
    public int Length { get; }
}

/// <summary>
/// A content in the <see cref="ChunkStore"/>: the ordered chunk list, the total length, and the
/// content identity <see cref="Id"/> (the ETag source). Copying a file or keeping a version copies
/// this list, never the bytes. Two references are equal when their identities are equal.
/// </summary>
internal sealed record ContentRef
{
    private ContentRef(IReadOnlyList<ChunkRef> chunks, long length, string id)
    {
        Chunks = chunks;
        Length = length;
        Id = id;
    }

    /// <summary>The empty content (no chunks).</summary>
    public static ContentRef Empty { get; } = FromChunks([]);

    /// <summary>The chunks in order; empty for 0 bytes.</summary>
    public IReadOnlyList<ChunkRef> Chunks { get; }

    /// <summary>The total length in bytes (the sum of the chunk lengths).</summary>
    public long Length { get; }

    /// <summary>
    /// The content identity: the lower-case hex SHA-256 over the concatenated raw 32-byte chunk
    /// hashes, in order. Equal bytes always give an equal identity (the chunking is fixed).
    /// </summary>
    public string Id { get; }

    /// <summary>A content from its chunk list (e.g. as stored in the database); computes the length and the identity.</summary>
    public static ContentRef FromChunks(IEnumerable<ChunkRef> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var list = chunks.ToArray();
        using var identity = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> raw = stackalloc byte[32];
        long length = 0;
        foreach (var chunk in list)
        {
            ArgumentNullException.ThrowIfNull(chunk, nameof(chunks));
            Convert.FromHexString(chunk.Hash, raw, out _, out _);
            identity.AppendData(raw);
            length += chunk.Length;
        }

        return new ContentRef(list, length, Convert.ToHexStringLower(identity.GetHashAndReset()));
    }

    /// <inheritdoc />
    public bool Equals(ContentRef? other) => other is not null && Length == other.Length && string.Equals(Id, other.Id, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Id);
}

/// <summary>
/// A chunk list as stored in the database (<c>fs_entries.chunks</c>, <c>fs_versions.chunks</c>): per
/// chunk its raw 32-byte SHA-256 and its length as 4 bytes little-endian.
/// </summary>
internal static class ChunkList
{
    /// <summary>Bytes per chunk in an encoded list.</summary>
    public const int EntrySize = 32 + sizeof(int);

    public static byte[] Encode(IReadOnlyList<ChunkRef> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var blob = new byte[chunks.Count * EntrySize];
        for (var i = 0; i < chunks.Count; i++)
        {
            var entry = blob.AsSpan(i * EntrySize, EntrySize);
            Convert.FromHexString(chunks[i].Hash, entry[..32], out _, out _);
            BinaryPrimitives.WriteInt32LittleEndian(entry[32..], chunks[i].Length);
        }

        return blob;
    }

    public static ContentRef Decode(byte[] blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (blob.Length % EntrySize != 0)
        {
            throw new InvalidDataException($"A stored chunk list has {blob.Length} bytes, not a multiple of {EntrySize}.");
        }

        var chunks = new ChunkRef[blob.Length / EntrySize];
        for (var i = 0; i < chunks.Length; i++)
        {
            var entry = blob.AsSpan(i * EntrySize, EntrySize);
            chunks[i] = new ChunkRef(Convert.ToHexStringLower(entry[..32]), BinaryPrimitives.ReadInt32LittleEndian(entry[32..]));
        }

        return ContentRef.FromChunks(chunks);
    }
}
