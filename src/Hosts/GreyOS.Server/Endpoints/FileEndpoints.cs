using System.Security.Claims;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Identity;
using GreyOS.Protocol;
using GreyOS.Server.Http;
using Microsoft.Net.Http.Headers;

namespace GreyOS.Server.Endpoints;

/// <summary>
/// The virtual file system over HTTP (<c>/api/v1/fs</c>): metadata and listings as JSON, content as
/// bytes with Range, ETag/If-Match/If-None-Match. Paths follow the route prefix, e.g.
/// <c>GET /api/v1/fs/files/home/alice/notes.txt</c>.
/// </summary>
internal static class FileEndpoints
{
    /// <summary>The largest upload accepted in one request.</summary>
    public const long MaxUploadBytes = 4L * 1024 * 1024 * 1024;

    public static RouteGroupBuilder MapFileEndpoints(this RouteGroupBuilder api)
    {
        var fs = api.MapGroup("/fs");
        fs.MapGet("/stat/{**path}", async Task<Results<Ok<FileEntryResponse>, ProblemHttpResult>> (string? path, ClaimsPrincipal user, IFileSystem files, CancellationToken ct) =>
            {
                if (Parse(path) is not { IsSuccess: true } parsed)
                {
                    return Parse(path).Error!.ToResult();
                }

                var entry = await files.StatAsync(PrincipalOf(user), parsed.Value, ct).ConfigureAwait(false);
                return entry.IsSuccess ? TypedResults.Ok(ToResponse(entry.Value)) : entry.Error.ToResult();
            })
            .WithName("StatFile")
            .WithSummary("Metadata of a file or folder.");

        fs.MapGet("/list/{**path}", async Task<Results<Ok<FileListingResponse>, ProblemHttpResult>> (string? path, string? order, bool? desc, int? limit, string? cursor, ClaimsPrincipal user, IFileSystem files, CancellationToken ct) =>
            {
                var parsed = Parse(path);
                if (!parsed.IsSuccess)
                {
                    return parsed.Error.ToResult();
                }

                if (order is not (null or "name" or "modified" or "size"))
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "order is name, modified or size");
                }

                var sort = order switch { "modified" => ListOrder.Modified, "size" => ListOrder.Size, _ => ListOrder.Name };
                var listing = await files.ListAsync(PrincipalOf(user), parsed.Value, sort, desc ?? false, limit ?? 200, cursor, ct).ConfigureAwait(false);
                return listing.IsSuccess
                    ? TypedResults.Ok(new FileListingResponse(ToResponse(listing.Value.Folder), listing.Value.Entries.Select(ToResponse).ToList(), listing.Value.Total, listing.Value.NextCursor))
                    : listing.Error.ToResult();
            })
            .WithName("ListFolder")
            .WithSummary("A page of a folder: folders first, then by name (or modified/size); limit ≤ 10000 (default 200); cursor continues.");

        fs.MapGet("/files/{**path}", DownloadAsync)
            .WithName("DownloadFile")
            .WithSummary("A file's bytes; Range and If-None-Match supported.");

        fs.MapPut("/files/{**path}", UploadAsync)
            .WithMetadata(new BodySizeLimit(MaxUploadBytes))
            .WithName("UploadFile")
            .WithSummary("Writes a file atomically (streamed; Content-Length is checked). If-Match: replace only that version; If-None-Match: * create only; append=true appends.");

        fs.MapDelete("/files/{**path}", async Task<Results<Ok<FileEntryResponse>, ProblemHttpResult>> (string? path, bool? recursive, bool? permanent, HttpContext context, IFileSystem files, IFileRecovery recovery, CancellationToken ct) =>
            {
                var parsed = Parse(path);
                if (!parsed.IsSuccess)
                {
                    return parsed.Error.ToResult();
                }

                var principal = PrincipalOf(context.User);
                var deleted = permanent == true
                    ? await recovery.DeleteForeverAsync(principal, parsed.Value, recursive ?? false, IfMatch(context), ct).ConfigureAwait(false)
                    : await files.DeleteAsync(principal, parsed.Value, recursive ?? false, IfMatch(context), ct).ConfigureAwait(false);
                return deleted.IsSuccess ? TypedResults.Ok(ToResponse(deleted.Value)) : deleted.Error.ToResult();
            })
            .WithName("DeleteFile")
            .WithSummary("Moves a file or a folder to the trash (recursive=true for non-empty folders; permanent=true skips the trash); If-Match honoured.");

        fs.MapPost("/folders/{**path}", async Task<Results<Created<FileEntryResponse>, ProblemHttpResult>> (string? path, bool? parents, ClaimsPrincipal user, IFileSystem files, CancellationToken ct) =>
            {
                var parsed = Parse(path);
                if (!parsed.IsSuccess)
                {
                    return parsed.Error.ToResult();
                }

                var created = await files.CreateFolderAsync(PrincipalOf(user), parsed.Value, parents ?? false, ct).ConfigureAwait(false);
                return created.IsSuccess ? TypedResults.Created($"/api/v1/fs/stat{created.Value.Path}", ToResponse(created.Value)) : created.Error.ToResult();
            })
            .WithName("CreateFolder")
            .WithSummary("Creates a folder (parents=true: and the missing parents).");

        fs.MapPost("/move", (FileTransferRequest? request, ClaimsPrincipal user, IFileSystem files, CancellationToken ct) => TransferAsync(request, user, files, move: true, ct))
            .WithName("MoveFile")
            .WithSummary("Moves or renames a file or folder (atomic within a mount).");

        fs.MapPost("/copy", (FileTransferRequest? request, ClaimsPrincipal user, IFileSystem files, CancellationToken ct) => TransferAsync(request, user, files, move: false, ct))
            .WithName("CopyFile")
            .WithSummary("Copies a file or folder on the node (no bytes travel; content is shared).");
        return api;
    }

    private static async Task<IResult> DownloadAsync(string? path, HttpContext context, IFileSystem files, CancellationToken ct)
    {
        var parsed = Parse(path);
        if (!parsed.IsSuccess)
        {
            return parsed.Error.ToResult();
        }

        var opened = await files.OpenReadAsync(PrincipalOf(context.User), parsed.Value, 0, null, ct).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return opened.Error.ToResult();
        }

        var (entry, content) = opened.Value;
        ProtectUserContent(context.Response);
        return TypedResults.Stream(content, entry.MimeType ?? "application/octet-stream", lastModified: entry.ModifiedAt, entityTag: EntityTagHeaderValue.Parse(entry.ETag), enableRangeProcessing: true);
    }

    /// <summary>
    /// Files are user content served from the node's own origin: a browser must never run them (an
    /// uploaded HTML or SVG file would otherwise script the API with the viewer's session).
    /// </summary>
    internal static void ProtectUserContent(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; media-src 'self'";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    private static async Task<Results<Created<FileEntryResponse>, Ok<FileEntryResponse>, ProblemHttpResult>> UploadAsync(string? path, bool? append, HttpContext context, IFileSystem files, CancellationToken ct)
    {
        var parsed = Parse(path);
        if (!parsed.IsSuccess)
        {
            return parsed.Error.ToResult();
        }

        var createOnly = context.Request.Headers.IfNoneMatch.ToString().Trim() == "*";
        var options = new WriteOptions(IfMatch(context), createOnly, context.Request.ContentLength, MaxUploadBytes, append ?? false);
        var principal = PrincipalOf(context.User);
        var existed = (await files.StatAsync(principal, parsed.Value, ct).ConfigureAwait(false)).IsSuccess;
        var written = await files.WriteAsync(principal, parsed.Value, context.Request.Body, options, ct).ConfigureAwait(false);
        if (!written.IsSuccess)
        {
            return written.Error.ToResult();
        }

        context.Response.Headers.ETag = written.Value.ETag;
        return existed ? TypedResults.Ok(ToResponse(written.Value)) : TypedResults.Created($"/api/v1/fs/files{written.Value.Path}", ToResponse(written.Value));
    }

    private static async Task<Results<Ok<FileEntryResponse>, ProblemHttpResult>> TransferAsync(FileTransferRequest? request, ClaimsPrincipal user, IFileSystem files, bool move, CancellationToken ct)
    {
        if (request is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"source\": \"/…\", \"destination\": \"/…\", \"overwrite\": false}");
        }

        var source = VfsPath.Parse(request.Source);
        var destination = VfsPath.Parse(request.Destination);
        if (!source.IsSuccess || !destination.IsSuccess)
        {
            return (source.Error ?? destination.Error)!.ToResult();
        }

        var done = move
            ? await files.MoveAsync(PrincipalOf(user), source.Value, destination.Value, request.Overwrite, ct).ConfigureAwait(false)
            : await files.CopyAsync(PrincipalOf(user), source.Value, destination.Value, request.Overwrite, ct).ConfigureAwait(false);
        return done.IsSuccess ? TypedResults.Ok(ToResponse(done.Value)) : done.Error.ToResult();
    }

    internal static Result<VfsPath> Parse(string? routePath) => VfsPath.Parse("/" + (routePath ?? string.Empty));

    internal static string? IfMatch(HttpContext context) =>
        context.Request.Headers.IfMatch.ToString() is { Length: > 0 } value && value.Trim() != "*" ? value.Trim() : null;

    internal static FilePrincipal PrincipalOf(ClaimsPrincipal user) =>
        new(user.UserId(), user.Identity?.Name ?? string.Empty, user.Has(Permissions.FsAdmin));

    internal static FileEntryResponse ToResponse(FileEntry e) =>
        new(e.Path.Value, e.Name, e.Kind == EntryKind.File ? "file" : "folder", e.Length, e.ETag, e.MimeType, e.CreatedAt, e.ModifiedAt);
}
