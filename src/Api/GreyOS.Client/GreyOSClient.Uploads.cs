using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using GreyOS.Protocol;

namespace GreyOS.Client;

/// <summary>How <see cref="GreyOSClient.UploadResumableAsync"/> uploads.</summary>
public sealed record ResumableUploadOptions
{
    /// <summary>Replace only this version of the file (<c>etag_mismatch</c> otherwise).</summary>
    public string? IfMatch { get; init; }

    /// <summary>Only if nothing exists at the path (<c>file_exists</c> otherwise).</summary>
    public bool CreateOnly { get; init; }

    /// <summary>Bytes per part (default <see cref="GreyOSClient.DefaultUploadPartBytes"/>): what a broken connection can cost at most.</summary>
    public long PartBytes { get; init; } = GreyOSClient.DefaultUploadPartBytes;

    /// <summary>Continue this upload (its id) when the node still has it for the same path and length; else a new one starts.</summary>
    public string? ResumeId { get; init; }

    /// <summary>Called once the upload is known (created or resumed): remember its id to resume after this process ends.</summary>
    public Action<UploadResponse>? Started { get; init; }

    /// <summary>The position in the file (bytes the node holds plus those of the part in flight).</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>Consecutive failures (broken connection, offset changed, upload busy) tolerated before giving up (default 5).</summary>
    public int Attempts { get; init; } = 5;

    /// <summary>The wait after a failure before asking for the offset again (default 1 s).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Resumable uploads (<c>/api/v1/fs/uploads</c>, docs/design/0004-vfs.md): a large file goes up in
/// parts; after a broken connection the upload resumes from the offset the node holds. Also the
/// content store's garbage collector (<c>POST /api/v1/fs/gc</c>).
/// </summary>
public sealed partial class GreyOSClient
{
    /// <summary>The default part size of a resumable upload: 16 MiB.</summary>
    public const long DefaultUploadPartBytes = 16L * 1024 * 1024;

    private const string UploadOffsetMismatchCode = "upload_offset_mismatch";
    private const string UploadBusyCode = "upload_busy";
    private const string UploadNotFoundCode = "upload_not_found";

    private static readonly Uri UploadsPath = new("api/v1/fs/uploads", UriKind.Relative);
    private static readonly Uri GcPath = new("api/v1/fs/gc", UriKind.Relative);

    /// <summary><c>POST /api/v1/fs/uploads</c>: starts a resumable upload of <paramref name="length"/> bytes to <paramref name="path"/>.</summary>
    public async Task<UploadResponse> CreateUploadAsync(string path, long length, string? ifMatch = null, bool createOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var body = new CreateUploadRequest(NormalizeFilePath(path), length, ifMatch is null ? null : QuoteETag(ifMatch), createOnly);
        return await SendAsync(HttpMethod.Post, UploadsPath, JsonContent.Create(body, ProtocolJsonContext.Default.CreateUploadRequest),
            ProtocolJsonContext.Default.UploadResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /api/v1/fs/uploads/{id}</c>: the upload's offset (where to resume) and whether the file is written (<c>upload_not_found</c>).</summary>
    public async Task<UploadResponse> GetUploadAsync(string id, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, UploadPath(id), content: null, ProtocolJsonContext.Default.UploadResponse, cancellationToken).ConfigureAwait(false);

    /// <summary><c>GET /api/v1/fs/uploads</c>: your uploads, open and recently completed.</summary>
    public async Task<UploadListResponse> ListUploadsAsync(CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, UploadsPath, content: null, ProtocolJsonContext.Default.UploadListResponse, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// <c>PATCH /api/v1/fs/uploads/{id}</c>: sends the next <paramref name="count"/> bytes of
    /// <paramref name="source"/> (from its current position) as the part at <paramref name="offset"/>.
    /// <paramref name="progress"/> gets the bytes of this part sent so far. Errors:
    /// <c>upload_offset_mismatch</c> (ask for the offset and resume from there), <c>content_too_large</c>,
    /// and the file system's when this part completes the upload.
    /// </summary>
    public async Task<UploadResponse> AppendUploadAsync(string id, long offset, Stream source, long count, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        string? digest = null;
        if (Credential is { SessionId: not null })
        {
            if (!source.CanSeek && count > MaxSignedUploadBytes)
            {
                throw new GreyOSApiException(HttpStatusCode.RequestEntityTooLarge, ContentTooLargeCode,
                    $"{Bytes(count)} is more than this client can sign in one part ({Bytes(MaxSignedUploadBytes)}); send smaller parts", title: null, traceId: null);
            }

            if (source.CanSeek)
            {
                digest = await HashAsync(source, count, cancellationToken).ConfigureAwait(false);
            }
        }

        using var content = new UploadContent(source, count, progress);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/partial-upload");
        if (digest is not null)
        {
            content.Headers.TryAddWithoutValidation(GreyOS.Protocol.Signatures.ContentDigest.HeaderName, digest);
        }

        using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri(BaseAddress, UploadPath(id))) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        return await SendUploadAsync(request, content, count, ProtocolJsonContext.Default.UploadResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /api/v1/fs/uploads/{id}/complete</c>: writes the file once every byte has arrived (<c>upload_incomplete</c> before).</summary>
    public async Task<UploadResponse> CompleteUploadAsync(string id, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Post, new Uri($"{UploadPath(id)}/complete", UriKind.Relative), content: null, ProtocolJsonContext.Default.UploadResponse, cancellationToken).ConfigureAwait(false);

    /// <summary><c>DELETE /api/v1/fs/uploads/{id}</c>: cancels the upload and drops its staged bytes.</summary>
    public async Task CancelUploadAsync(string id, CancellationToken cancellationToken = default) =>
        await SendAsync<object?>(HttpMethod.Delete, UploadPath(id), content: null, typeInfo: null, cancellationToken).ConfigureAwait(false);

    /// <summary><c>POST /api/v1/fs/gc</c> (permission <c>fs.admin</c>): collects the content store now and answers the counts.</summary>
    public async Task<ContentGcResponse> CollectContentGarbageAsync(CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Post, GcPath, content: null, ProtocolJsonContext.Default.ContentGcResponse, extraTime: TimeSpan.FromMinutes(30), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Uploads <paramref name="length"/> bytes of a seekable <paramref name="source"/> (from its current
    /// position) to <paramref name="path"/> as a resumable upload in parts of
    /// <see cref="ResumableUploadOptions.PartBytes"/>: after a broken connection (or a part the node
    /// did not take) it asks the node for the offset it holds and continues from there, up to
    /// <see cref="ResumableUploadOptions.Attempts"/> failures in a row. With
    /// <see cref="ResumableUploadOptions.ResumeId"/> it continues an upload an earlier run started.
    /// The file is written atomically on the node when the last byte arrives; returns it.
    /// </summary>
    public async Task<FileEntryResponse> UploadResumableAsync(string path, Stream source, long length, ResumableUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        options ??= new ResumableUploadOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PartBytes, 1, nameof(options));
        if (!source.CanSeek)
        {
            throw new ArgumentException("a resumable upload reads its source again from the node's offset: pass a seekable stream (a file)", nameof(source));
        }

        var normalized = NormalizeFilePath(path);
        var start = source.Position;
        var upload = await ResumeOrCreateAsync(normalized, length, options, cancellationToken).ConfigureAwait(false);
        options.Started?.Invoke(upload);
        var failures = 0;
        var refresh = false;
        while (!upload.Complete)
        {
            try
            {
                if (refresh)
                {
                    await Task.Delay(options.RetryDelay, cancellationToken).ConfigureAwait(false);
                    upload = await GetUploadAsync(upload.Id, cancellationToken).ConfigureAwait(false);
                    refresh = false;
                    continue;
                }

                if (upload.Offset >= upload.Length)
                {
                    upload = await CompleteUploadAsync(upload.Id, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var offset = upload.Offset;
                var count = Math.Min(options.PartBytes, upload.Length - offset);
                source.Position = start + offset;
                var progress = options.Progress is { } report ? new Progress(report, offset) : null;
                upload = await AppendUploadAsync(upload.Id, offset, source, count, progress, cancellationToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (GreyOSConnectionException) when (++failures < options.Attempts)
            {
                refresh = true;
            }
            catch (GreyOSApiException ex) when (ex.Code is UploadOffsetMismatchCode or UploadBusyCode && ++failures < options.Attempts)
            {
                refresh = true;
            }
        }

        options.Progress?.Report(length);
        return upload.File ?? await StatFileAsync(normalized, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The upload to continue (<see cref="ResumableUploadOptions.ResumeId"/>, if the node still has it for this path and length), else a new one.</summary>
    private async Task<UploadResponse> ResumeOrCreateAsync(string path, long length, ResumableUploadOptions options, CancellationToken cancellationToken)
    {
        if (options.ResumeId is { Length: > 0 } id)
        {
            try
            {
                var known = await GetUploadAsync(id, cancellationToken).ConfigureAwait(false);
                if (known.Path == path && known.Length == length && !known.Complete)
                {
                    return known;
                }
            }
            catch (GreyOSApiException ex) when (ex.Code == UploadNotFoundCode)
            {
                // Expired, cancelled or completed long ago: start again.
            }
        }

        return await CreateUploadAsync(path, length, options.IfMatch, options.CreateOnly, cancellationToken).ConfigureAwait(false);
    }

    private static Uri UploadPath(string id) => new($"api/v1/fs/uploads/{Uri.EscapeDataString(id)}", UriKind.Relative);

    /// <summary>A part's progress as a position in the whole file.</summary>
    private sealed class Progress(IProgress<long> file, long before) : IProgress<long>
    {
        public void Report(long value) => file.Report(before + value);
    }
}
