using System.Globalization;
using System.Security.Claims;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Identity;
using GreyOS.Protocol;
using GreyOS.Server.Http;

namespace GreyOS.Server.Endpoints;

/// <summary>
/// Resumable uploads (<c>/api/v1/fs/uploads</c>, design 0004; after the IETF httpbis draft
/// "Resumable Uploads for HTTP", with a JSON creation step) and the content store's garbage
/// collector (<c>POST /api/v1/fs/gc</c>). Create an upload for a path and a length; send parts with
/// <c>PATCH</c> and <c>Upload-Offset</c> (a wrong offset is 409 <c>upload_offset_mismatch</c> with the
/// node's offset in <c>Upload-Offset</c>); after a failure ask for the offset (<c>HEAD</c> or
/// <c>GET</c>) and resume; the file is written when the last byte arrives. Only the creating user
/// sees an upload (404 <c>upload_not_found</c> for others).
/// </summary>
internal static class UploadEndpoints
{
    /// <summary>The most bytes one part may carry (a whole upload may be larger, in several parts).</summary>
    public const long MaxPartBytes = FileEndpoints.MaxUploadBytes;

    private const string UploadOffsetHeader = "Upload-Offset";
    private const string UploadLengthHeader = "Upload-Length";
    private const string UploadCompleteHeader = "Upload-Complete";
    private const string UploadLimitHeader = "Upload-Limit";

    public static RouteGroupBuilder MapUploadEndpoints(this RouteGroupBuilder api)
    {
        var fs = api.MapGroup("/fs");
        fs.MapPost("/uploads", async Task<Results<Created<UploadResponse>, ProblemHttpResult>> (CreateUploadRequest? request, HttpContext context, IResumableUploads uploads, CancellationToken ct) =>
            {
                if (request is null)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"path\": \"/…\", \"length\": 123, \"ifMatch\": null, \"createOnly\": false}");
                }

                var path = VfsPath.Parse(request.Path);
                if (!path.IsSuccess)
                {
                    return path.Error.ToResult();
                }

                var created = await uploads.CreateAsync(PrincipalOf(context.User), new UploadRequest(path.Value, request.Length, NullIfEmpty(request.IfMatch), request.CreateOnly), ct).ConfigureAwait(false);
                if (!created.IsSuccess)
                {
                    return created.Error.ToResult(context);
                }

                Describe(context, created.Value);
                context.Response.Headers[UploadLimitHeader] = $"max-size={uploads.MaxLength.ToString(CultureInfo.InvariantCulture)}";
                return TypedResults.Created(UrlOf(created.Value.Id), ToResponse(created.Value));
            })
            .WithName("CreateUpload")
            .WithSummary("Starts a resumable upload of 'length' bytes to 'path' (ifMatch / createOnly checked now and at the end); answers its id and URL. At most 16 open uploads per user.");

        fs.MapGet("/uploads", async Task<Ok<UploadListResponse>> (ClaimsPrincipal user, IResumableUploads uploads, CancellationToken ct) =>
            {
                var list = await uploads.ListAsync(PrincipalOf(user), ct).ConfigureAwait(false);
                return TypedResults.Ok(new UploadListResponse(list.Select(ToResponse).ToList()));
            })
            .WithName("ListUploads")
            .WithSummary("Your resumable uploads (open and recently completed), newest first.");

        fs.MapGet("/uploads/{id}", async Task<Results<Ok<UploadResponse>, ProblemHttpResult>> (string id, HttpContext context, IResumableUploads uploads, CancellationToken ct) =>
            {
                var found = await uploads.GetAsync(PrincipalOf(context.User), id, ct).ConfigureAwait(false);
                if (!found.IsSuccess)
                {
                    return found.Error.ToResult();
                }

                Describe(context, found.Value);
                return TypedResults.Ok(ToResponse(found.Value));
            })
            .WithName("GetUpload")
            .WithSummary("An upload's state: its offset (where to resume; also in Upload-Offset) and whether the file is written.");

        // The draft's offset retrieval: headers only (not in the OpenAPI document: a HEAD has no problem body to describe).
        fs.MapMethods("/uploads/{id}", [HttpMethods.Head], async Task<IResult> (string id, HttpContext context, IResumableUploads uploads, CancellationToken ct) =>
            {
                var found = await uploads.GetAsync(PrincipalOf(context.User), id, ct).ConfigureAwait(false);
                if (!found.IsSuccess)
                {
                    return TypedResults.StatusCode(Problems.StatusOf(found.Error.Kind));
                }

                Describe(context, found.Value);
                return TypedResults.NoContent();
            })
            .ExcludeFromDescription();

        fs.MapPatch("/uploads/{id}", AppendAsync)
            .WithMetadata(new BodySizeLimit(MaxPartBytes))
            .WithName("AppendUpload")
            .WithSummary("Appends the body at Upload-Offset (must be the upload's offset: 409 upload_offset_mismatch otherwise); the file is written when the last byte arrives.");

        fs.MapPost("/uploads/{id}/complete", async Task<Results<Ok<UploadResponse>, ProblemHttpResult>> (string id, HttpContext context, IResumableUploads uploads, CancellationToken ct) =>
            {
                var done = await uploads.CompleteAsync(PrincipalOf(context.User), id, ct).ConfigureAwait(false);
                return done.IsSuccess ? Answer(context, done.Value) : done.Error.ToResult();
            })
            .WithName("CompleteUpload")
            .WithSummary("Writes the file once every byte has arrived (409 upload_incomplete before); after success it answers the same again.");

        fs.MapDelete("/uploads/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, ClaimsPrincipal user, IResumableUploads uploads, CancellationToken ct) =>
            {
                var cancelled = await uploads.CancelAsync(PrincipalOf(user), id, ct).ConfigureAwait(false);
                return cancelled.IsSuccess ? TypedResults.NoContent() : cancelled.Error.ToResult();
            })
            .WithName("CancelUpload")
            .WithSummary("Cancels an upload and drops its staged bytes.");

        fs.MapPost("/gc", async Task<Ok<ContentGcResponse>> (IContentCollector collector, CancellationToken ct) =>
            {
                var report = await collector.CollectAsync(ct).ConfigureAwait(false);
                return TypedResults.Ok(new ContentGcResponse(report.Scanned, report.Marked, report.Swept, report.SweptBytes, report.KeptByGrace, report.Duration.TotalMilliseconds));
            })
            .RequirePermission(Permissions.FsAdmin)
            .WithName("CollectContentGarbage")
            .WithSummary("Collects the content store now: deletes chunks no file, version or trash item references (older than the grace period); answers the counts.");
        return api;
    }

    private static async Task<IResult> AppendAsync(string id, HttpContext context, IResumableUploads uploads, CancellationToken ct)
    {
        if (!long.TryParse(context.Request.Headers[UploadOffsetHeader].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send the part's position in the file as Upload-Offset (the upload's current offset: HEAD or GET the upload)");
        }

        var principal = PrincipalOf(context.User);
        Result<UploadState> appended;
        try
        {
            appended = await uploads.AppendAsync(principal, id, offset, context.Request.Body, context.Request.ContentLength, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The part broke off (the client went away, or sent less than it announced): the bytes that arrived are kept.
            if (context.RequestAborted.IsCancellationRequested)
            {
                return TypedResults.Empty;
            }

            var now = await uploads.GetAsync(principal, id, CancellationToken.None).ConfigureAwait(false);
            if (now.IsSuccess)
            {
                Describe(context, now.Value);
            }

            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest,
                $"the part broke off ({ex.Message.TrimEnd('.')}); the bytes that arrived are kept: resume from offset {(now.IsSuccess ? now.Value.Offset : 0)}");
        }

        if (appended.IsSuccess)
        {
            return Answer(context, appended.Value);
        }

        if (appended.Error.Code is ErrorCodes.UploadOffsetMismatch or ErrorCodes.ContentTooLarge
            && await uploads.GetAsync(principal, id, ct).ConfigureAwait(false) is { IsSuccess: true } current)
        {
            Describe(context, current.Value);
            if (appended.Error.Code == ErrorCodes.UploadOffsetMismatch)
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    detail: appended.Error.Message,
                    extensions: new Dictionary<string, object?>
                    {
                        ["code"] = appended.Error.Code,
                        ["expectedOffset"] = current.Value.Offset,
                        ["providedOffset"] = offset,
                    });
            }
        }

        return appended.Error.ToResult(context);
    }

    private static Ok<UploadResponse> Answer(HttpContext context, UploadState upload)
    {
        Describe(context, upload);
        if (upload.Committed is { } file)
        {
            context.Response.Headers.ETag = file.ETag;
        }

        return TypedResults.Ok(ToResponse(upload));
    }

    /// <summary>The draft's headers: Upload-Offset, Upload-Length, Upload-Complete (structured boolean); never cached.</summary>
    private static void Describe(HttpContext context, UploadState upload)
    {
        var headers = context.Response.Headers;
        headers[UploadOffsetHeader] = upload.Offset.ToString(CultureInfo.InvariantCulture);
        headers[UploadLengthHeader] = upload.Length.ToString(CultureInfo.InvariantCulture);
        headers[UploadCompleteHeader] = upload.IsComplete ? "?1" : "?0";
        headers.CacheControl = "no-store";
        headers.Location = UrlOf(upload.Id);
    }

    private static string UrlOf(string id) => $"/api/v1/fs/uploads/{id}";

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static FilePrincipal PrincipalOf(ClaimsPrincipal user) =>
        new(user.UserId(), user.Identity?.Name ?? string.Empty, user.Has(Permissions.FsAdmin));

    private static UploadResponse ToResponse(UploadState u) => new(
        u.Id,
        UrlOf(u.Id),
        u.Path.Value,
        u.Length,
        u.Offset,
        u.IsComplete,
        u.CreatedAt,
        u.ExpiresAt,
        u.Committed is { } e ? new FileEntryResponse(e.Path.Value, e.Name, "file", e.Length, e.ETag, e.MimeType, e.CreatedAt, e.ModifiedAt) : null);
}
