using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.ExceptionServices;
using System.Text.Json.Serialization.Metadata;
using GreyOS.Protocol;

namespace GreyOS.Client;

/// <summary>
/// The virtual file system (<c>/api/v1/fs</c>, docs/design/0004-vfs.md): metadata, listings, streamed
/// downloads (resumable with Range) and uploads, folders, move, copy, delete.
/// </summary>
/// <remarks>
/// Paths are VFS paths (<c>/home/alice/notes.txt</c>): absolute, <c>/</c>-separated; empty segments
/// are collapsed. Each segment is escaped on its own, so names may hold any character the node allows.
/// <c>.</c> and <c>..</c> segments are refused here with <c>invalid_path</c>, as the node refuses them
/// (.NET's <see cref="Uri"/> would otherwise resolve them before the request is sent).
/// </remarks>
public sealed partial class GreyOSClient
{
    /// <summary>The largest file the node accepts in one upload (4 GiB).</summary>
    public const long MaxFileUploadBytes = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// The largest upload from a non-seekable source this client can sign (about 2 GiB): the signer then
    /// reads the whole body into memory to compute its Content-Digest. Seekable sources (files) are
    /// hashed in a first pass instead, in constant memory and without this limit.
    /// </summary>
    public const long MaxSignedUploadBytes = 0x7FFFFFC7;

    /// <summary>The most entries one listing page returns.</summary>
    public const int MaxListPage = 1000;

    private const string InvalidPathCode = "invalid_path";
    private const string EtagMismatchCode = "etag_mismatch";
    private const string ContentTooLargeCode = "content_too_large";
    private const int CopyBufferBytes = 128 * 1024;

    private static readonly Uri MoveFilePath = new("api/v1/fs/move", UriKind.Relative);
    private static readonly Uri CopyFilePath = new("api/v1/fs/copy", UriKind.Relative);

    /// <summary>
    /// <paramref name="path"/> as the node sees it: <c>/</c> and the segments without empty ones.
    /// Throws <see cref="GreyOSApiException"/> with code <c>invalid_path</c> for a relative path or a
    /// <c>.</c>/<c>..</c> segment; everything else (characters, lengths) is checked by the node.
    /// </summary>
    public static string NormalizeFilePath(string path) => "/" + string.Join('/', FileSegments(path));

    /// <summary><c>GET /api/v1/fs/stat/{path}</c>: a file's or folder's metadata (<c>file_not_found</c>, <c>forbidden</c>, <c>invalid_path</c>).</summary>
    public async Task<FileEntryResponse> StatFileAsync(string path, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, FilePath("stat", path), content: null, ProtocolJsonContext.Default.FileEntryResponse, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// <c>GET /api/v1/fs/list/{path}</c>: one page of a folder, folders first, then by
    /// <paramref name="order"/> (<c>name</c>, the default, <c>modified</c> or <c>size</c>;
    /// <paramref name="descending"/> reverses it). <paramref name="limit"/>: 1 to <see cref="MaxListPage"/>
    /// (node default 200); pass the answer's <see cref="FileListingResponse.NextCursor"/> as
    /// <paramref name="cursor"/> for the next page. A file gives <c>not_a_folder</c>.
    /// </summary>
    public async Task<FileListingResponse> ListFolderAsync(
        string path, string? order = null, bool? descending = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var uri = FilePath("list", path);
        if (order is not null)
        {
            uri = Query(uri, "order", order);
        }

        if (descending is { } desc)
        {
            uri = Query(uri, "desc", desc ? "true" : "false");
        }

        if (limit is { } count)
        {
            uri = Query(uri, "limit", count.ToString(CultureInfo.InvariantCulture));
        }

        if (cursor is not null)
        {
            uri = Query(uri, "cursor", cursor);
        }

        return await SendAsync(HttpMethod.Get, uri, content: null, ProtocolJsonContext.Default.FileListingResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET /api/v1/fs/files/{path}</c>: streams the file's bytes into <paramref name="destination"/>
    /// (never buffered whole). <paramref name="progress"/> gets the position in the file after each
    /// write (<paramref name="offset"/> + bytes written so far).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Resuming: with <paramref name="offset"/> &gt; 0 only the bytes from there on are asked for
    /// (<c>Range: bytes=offset-</c>) and written. Pass the ETag the first part came with as
    /// <paramref name="ifRange"/>: if the file changed since, nothing is written and
    /// <see cref="GreyOSApiException"/> with code <c>etag_mismatch</c> is thrown (start again from 0).
    /// An offset equal to the file's length writes nothing; past it is <c>etag_mismatch</c> too.
    /// </para>
    /// <para>
    /// The client's <see cref="RequestTimeout"/> bounds the wait for the answer and then each wait for
    /// more bytes, not the whole transfer. A transfer that breaks throws <see cref="GreyOSConnectionException"/>;
    /// what was written so far stays in <paramref name="destination"/> (resume from there).
    /// Errors writing <paramref name="destination"/> propagate unchanged.
    /// </para>
    /// </remarks>
    public async Task<FileDownload> DownloadAsync(
        string path, Stream destination, IProgress<long>? progress = null, long? offset = null, string? ifRange = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var start = offset ?? 0;
        ArgumentOutOfRangeException.ThrowIfNegative(start, nameof(offset));
        var normalized = NormalizeFilePath(path);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseAddress, FilePath("files", normalized)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));
        if (start > 0)
        {
            request.Headers.Range = new RangeHeaderValue(start, null);
            if (ifRange is not null)
            {
                request.Headers.IfRange = new RangeConditionHeaderValue(EntityTagHeaderValue.Parse(QuoteETag(ifRange)));
            }
        }

        return await SendStreamingAsync(
            request,
            (response, madeProgress, ct) => ReadDownloadAsync(response, normalized, destination, progress, start, ifRange, madeProgress, ct, cancellationToken),
            extraTime: null,
            static response => response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>PUT /api/v1/fs/files/{path}</c>: writes exactly <paramref name="length"/> bytes read from
    /// <paramref name="source"/> as the file (atomically on the node: all or nothing), with
    /// Content-Length. <paramref name="ifMatch"/>: replace only that version (<c>etag_mismatch</c>
    /// otherwise); <paramref name="createOnly"/>: only if nothing exists there (<c>file_exists</c>);
    /// <paramref name="append"/>: add the bytes to the end of the file. <paramref name="progress"/>
    /// gets the bytes read from <paramref name="source"/> so far. The parent folder must exist
    /// (<c>file_not_found</c>).
    /// </summary>
    /// <remarks>
    /// Signed requests carry a Content-Digest of the body: a seekable <paramref name="source"/> is hashed
    /// in a first pass (constant memory) and rewound; a non-seekable one is buffered by
    /// <see cref="RequestSigner"/> and may be at most <see cref="MaxSignedUploadBytes"/> (bigger ones are
    /// refused here with <c>content_too_large</c>).
    /// A failure reading <paramref name="source"/> (or a source shorter than
    /// <paramref name="length"/>: <see cref="EndOfStreamException"/>) is rethrown as it is, so it can
    /// be told apart from the node's answers and from connection failures. A seekable source is
    /// rewound if the transport has to send the body again.
    /// </remarks>
    public async Task<FileEntryResponse> UploadAsync(
        string path,
        Stream source,
        long length,
        string? ifMatch = null,
        bool createOnly = false,
        bool append = false,
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (ifMatch is not null && createOnly)
        {
            throw new ArgumentException("ifMatch (replace that version) and createOnly (nothing may exist) exclude each other", nameof(createOnly));
        }

        var uri = FilePath("files", path);
        uri = append ? Query(uri, "append", "true") : uri;
        if (length > MaxFileUploadBytes)
        {
            throw new GreyOSApiException(HttpStatusCode.RequestEntityTooLarge, ContentTooLargeCode,
                $"{Bytes(length)} is more than the node accepts in one upload ({Bytes(MaxFileUploadBytes)})", title: null, traceId: null);
        }

        if (Credential is { SessionId: not null } && length > MaxSignedUploadBytes && !source.CanSeek)
        {
            throw new GreyOSApiException(HttpStatusCode.RequestEntityTooLarge, ContentTooLargeCode,
                $"{Bytes(length)} is more than this client can sign in one upload ({Bytes(MaxSignedUploadBytes)}: the request signature's Content-Digest is computed over the body held in memory)",
                title: null, traceId: null);
        }

        // A seekable source is hashed in a first pass, so the signature's Content-Digest does not need the
        // body in memory (any size, constant memory); other sources are buffered by the signer.
        string? digest = null;
        if (Credential is { SessionId: not null } && source.CanSeek)
        {
            digest = await HashAsync(source, length, cancellationToken).ConfigureAwait(false);
        }

        using var content = new UploadContent(source, length, progress);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (digest is not null)
        {
            content.Headers.TryAddWithoutValidation(GreyOS.Protocol.Signatures.ContentDigest.HeaderName, digest);
        }
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(BaseAddress, uri)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", QuoteETag(ifMatch));
        }

        if (createOnly)
        {
            request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        }

        return await SendUploadAsync(request, content, length, ProtocolJsonContext.Default.FileEntryResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends an upload of <paramref name="bytes"/> from a local source, given time for the transfer at
    /// <see cref="MinUploadBytesPerSecond"/>, and reads the JSON answer. The transport wraps a failing
    /// source (HttpRequestException "Error while copying content"): the source's own error is reported.
    /// </summary>
    private async Task<T> SendUploadAsync<T>(HttpRequestMessage request, UploadContent content, long bytes, JsonTypeInfo<T> answer, CancellationToken cancellationToken)
    {
        var transfer = TimeSpan.FromSeconds(bytes / MinUploadBytesPerSecond) + LongRequestMargin;
        try
        {
            return await SendStreamingAsync(request, (response, _, ct) => ReadJsonAsync(response, answer, ct), transfer, accepts: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (content.SourceError is { } local)
        {
            ExceptionDispatchInfo.Throw(local);
            throw;
        }
    }

    /// <summary>
    /// <c>POST /api/v1/fs/folders/{path}</c>: creates a folder; <paramref name="parents"/> also creates
    /// missing parents and accepts an existing folder (<c>mkdir -p</c>). Errors: <c>file_exists</c>,
    /// <c>file_not_found</c> (no parent), <c>not_a_folder</c>.
    /// </summary>
    public async Task<FileEntryResponse> CreateFolderAsync(string path, bool parents = false, CancellationToken cancellationToken = default)
    {
        var uri = FilePath("folders", path);
        return await SendAsync(HttpMethod.Post, parents ? Query(uri, "parents", "true") : uri, content: null, ProtocolJsonContext.Default.FileEntryResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /api/v1/fs/move</c>: moves or renames a file or folder to exactly <paramref name="destination"/>
    /// (atomic within a mount). An existing destination is <c>file_exists</c> unless <paramref name="overwrite"/>.
    /// </summary>
    public Task<FileEntryResponse> MoveAsync(string source, string destination, bool overwrite = false, CancellationToken cancellationToken = default) =>
        TransferAsync(MoveFilePath, source, destination, overwrite, cancellationToken);

    /// <summary>
    /// <c>POST /api/v1/fs/copy</c>: copies a file or folder on the node to exactly <paramref name="destination"/>
    /// (no bytes travel; content is shared). An existing destination is <c>file_exists</c> unless <paramref name="overwrite"/>.
    /// </summary>
    public Task<FileEntryResponse> CopyAsync(string source, string destination, bool overwrite = false, CancellationToken cancellationToken = default) =>
        TransferAsync(CopyFilePath, source, destination, overwrite, cancellationToken);

    /// <summary>
    /// <c>DELETE /api/v1/fs/files/{path}</c>: deletes a file or folder and returns what was deleted.
    /// A folder with entries needs <paramref name="recursive"/> (<c>folder_not_empty</c>);
    /// <paramref name="ifMatch"/> deletes only that version (<c>etag_mismatch</c>).
    /// </summary>
    public async Task<FileEntryResponse> DeleteAsync(string path, bool recursive = false, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var uri = FilePath("files", path);
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri(BaseAddress, recursive ? Query(uri, "recursive", "true") : uri));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", QuoteETag(ifMatch));
        }

        return await SendStreamingAsync(request, (response, _, ct) => ReadJsonAsync(response, ProtocolJsonContext.Default.FileEntryResponse, ct), extraTime: null, accepts: null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<FileEntryResponse> TransferAsync(Uri route, string source, string destination, bool overwrite, CancellationToken cancellationToken)
    {
        var body = new FileTransferRequest(NormalizeFilePath(source), NormalizeFilePath(destination), overwrite);
        return await SendAsync(HttpMethod.Post, route, JsonContent.Create(body, ProtocolJsonContext.Default.FileTransferRequest),
            ProtocolJsonContext.Default.FileEntryResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a download's body (200 or 206; 416 when nothing is left) to <paramref name="destination"/>.</summary>
    private async Task<FileDownload> ReadDownloadAsync(
        HttpResponseMessage response,
        string path,
        Stream destination,
        IProgress<long>? progress,
        long start,
        string? ifRange,
        Action madeProgress,
        CancellationToken transferToken,
        CancellationToken cancellationToken)
    {
        var etag = response.Headers.ETag?.ToString();
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // Nothing from the offset on: done if the file is exactly that long, else it changed (shrank).
            var length = response.Content.Headers.ContentRange?.Length;
            return length == start
                ? new FileDownload(path, etag, start, 0, length, contentType)
                : throw Changed(path, $"it has {(length is { } known ? Bytes(known) : "fewer bytes")}, less than the offset {Bytes(start)}");
        }

        long skip = 0;
        long? total;
        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            var range = response.Content.Headers.ContentRange;
            if (range?.From != start)
            {
                throw new GreyOSApiException(response.StatusCode, InvalidResponseCode, $"the node sent bytes from {range?.From?.ToString(CultureInfo.InvariantCulture) ?? "?"} instead of {start.ToString(CultureInfo.InvariantCulture)}", title: null, traceId: null);
            }

            total = range.Length;
        }
        else
        {
            total = response.Content.Headers.ContentLength;
            if (start > 0)
            {
                // The whole file came back: the range was ignored (skip what we have) or If-Range did not hold (it changed).
                if (ifRange is not null && !string.Equals(etag, QuoteETag(ifRange), StringComparison.Ordinal))
                {
                    throw Changed(path, "its ETag is no longer " + QuoteETag(ifRange));
                }

                skip = start;
            }
        }

        var expectedEnd = response.StatusCode == HttpStatusCode.PartialContent
            ? start + response.Content.Headers.ContentLength
            : total;
        var body = await response.Content.ReadAsStreamAsync(transferToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
            var position = start;
            long received = 0;
            try
            {
                while (true)
                {
                    int read;
                    try
                    {
                        read = await body.ReadAsync(buffer, transferToken).ConfigureAwait(false);
                    }
                    catch (IOException ex)
                    {
                        throw new GreyOSConnectionException(BaseAddress, $"the download of {path} broke after {Bytes(position)}: {ReasonOf(ex)}", ex);
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    madeProgress();
                    var data = buffer.AsMemory(0, read);
                    received += read;
                    if (skip > 0)
                    {
                        var skipped = (int)Math.Min(skip, read);
                        data = data[skipped..];
                        skip -= skipped;
                    }

                    if (data.Length > 0)
                    {
                        await destination.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                        position += data.Length;
                        progress?.Report(position);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (expectedEnd is { } end && position != end)
            {
                throw new GreyOSConnectionException(BaseAddress, $"the download of {path} ended after {Bytes(position)} of {Bytes(end)}");
            }

            return new FileDownload(path, etag, start, position - start, total ?? position, contentType);
        }
    }

    /// <summary><c>api/v1/fs/{route}/{segment}/…</c>, each segment escaped on its own.</summary>
    private static Uri FilePath(string route, string path) =>
        new($"api/v1/fs/{route}/{string.Join('/', FileSegments(path).Select(Uri.EscapeDataString))}", UriKind.Relative);

    private static string[] FileSegments(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/'))
        {
            throw InvalidPath(path, "is not an absolute path (VFS paths start with '/')");
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Any(segment => segment is "." or "..")
            ? throw InvalidPath(path, "has a '.' or '..' segment; paths are never resolved, name the folder itself")
            : segments;
    }

    private static GreyOSApiException InvalidPath(string path, string why) =>
        new(HttpStatusCode.BadRequest, InvalidPathCode, $"'{path}' {why}", title: null, traceId: null);

    private static GreyOSApiException Changed(string path, string why) =>
        new(HttpStatusCode.PreconditionFailed, EtagMismatchCode, $"{path} changed since the first part was downloaded ({why}); download it again from the start", title: null, traceId: null);

    /// <summary>An ETag as HTTP wants it: quoted (a bare value as <c>stat</c> might be typed gets quotes).</summary>
    private static string QuoteETag(string etag)
    {
        var trimmed = etag.Trim();
        return trimmed.StartsWith('"') || trimmed.StartsWith("W/\"", StringComparison.Ordinal) ? trimmed : $"\"{trimmed}\"";
    }

    private static string Bytes(long count) => count.ToString("N0", CultureInfo.InvariantCulture) + " bytes";

    /// <summary>
    /// An upload body of a known length, copied from the caller's stream in chunks (never all at once
    /// by this class); remembers a failure of the source so it is reported as the source's.
    /// </summary>
    private sealed class UploadContent(Stream source, long contentLength, IProgress<long>? progress) : HttpContent
    {
        private readonly long _start = source.CanSeek ? source.Position : -1;
        private bool _started;

        /// <summary>What went wrong reading the source (null: nothing).</summary>
        public Exception? SourceError { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            if (_started)
            {
                if (_start < 0)
                {
                    throw Fail(new InvalidOperationException("the upload has to be sent again, but its source cannot be rewound"));
                }

                source.Position = _start;
            }

            _started = true;
            var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
            try
            {
                long sent = 0;
                while (sent < contentLength)
                {
                    int read;
                    try
                    {
                        read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, contentLength - sent)), cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
                    {
                        throw Fail(ex);
                    }

                    if (read == 0)
                    {
                        throw Fail(new EndOfStreamException($"the source ended after {Bytes(sent)} of {Bytes(contentLength)} (did it change while uploading?)"));
                    }

                    await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    sent += read;
                    progress?.Report(sent);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = contentLength;
            return true;
        }

        private Exception Fail(Exception ex)
        {
            SourceError = ex;
            return ex;
        }
    }

    /// <summary>The <c>sha-256</c> Content-Digest of the next <paramref name="length"/> bytes of a seekable stream, which is rewound after.</summary>
    private static async Task<string> HashAsync(Stream source, long length, CancellationToken cancellationToken)
    {
        var start = source.Position;
        using var sha256 = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            var left = length;
            while (left > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException($"the source ended {left} bytes before its stated length");
                }

                sha256.AppendData(buffer, 0, read);
                left -= read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        source.Position = start;
        return $"sha-256=:{Convert.ToBase64String(sha256.GetHashAndReset())}:";
    }
}

/// <summary>What a download wrote: <see cref="Offset"/> is where it started, <see cref="BytesWritten"/> how many bytes followed.</summary>
/// <param name="Path">The VFS path downloaded.</param>
/// <param name="ETag">The version downloaded (quoted), if the node sent one.</param>
/// <param name="Offset">The byte offset the download started at (a resume).</param>
/// <param name="BytesWritten">Bytes written to the destination.</param>
/// <param name="Length">The file's whole length, when known.</param>
/// <param name="ContentType">The file's MIME type, when sent.</param>
public sealed record FileDownload(string Path, string? ETag, long Offset, long BytesWritten, long? Length, string? ContentType);
