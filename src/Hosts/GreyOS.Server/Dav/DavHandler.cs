using System.Globalization;
using System.Net;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Identity;
using GreyOS.Server.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace GreyOS.Server.Dav;

/// <summary>
/// The WebDAV methods (RFC 4918) over <see cref="IFileSystem"/>, with locks (<see cref="IDavLockStore"/>)
/// and dead properties (<see cref="IDavPropertyStore"/>) kept in the node database. One instance serves
/// every request; the caller's <see cref="FilePrincipal"/> goes with each call so the VFS's rules apply.
/// </summary>
internal sealed partial class DavHandler(
    IFileSystem files,
    IDavLockStore locks,
    IDavPropertyStore properties,
    IBasicAuthenticator basic,
    TimeProvider time,
    ILogger<DavHandler> logger)
{
    /// <summary>The largest file accepted by PUT.</summary>
    public const long MaxUploadBytes = 4L * 1024 * 1024 * 1024;

    private const string AllowedMethods = "OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND, PROPPATCH, LOCK, UNLOCK";

    public async Task HandleAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsOptions(method))
        {
            // Anonymous on purpose: clients (Windows, Finder) probe the capabilities before they authenticate.
            SetDavHeaders(context);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentLength = 0;
            return;
        }

        var principal = await DavEndpoints.AuthenticateAsync(context, basic).ConfigureAwait(false);
        if (principal is null)
        {
            return;
        }

        var path = DavEndpoints.PathOf(context);
        IResult result;
        if (!path.IsSuccess)
        {
            result = path.Error.ToResult();
        }
        else
        {
            var request = new DavRequest(context, principal, path.Value, context.RequestAborted);
            result = ParseIf(request) ?? method.ToUpperInvariant() switch
            {
                "GET" or "HEAD" => await GetAsync(request).ConfigureAwait(false),
                "PUT" => await PutAsync(request).ConfigureAwait(false),
                "DELETE" => await DeleteAsync(request).ConfigureAwait(false),
                "MKCOL" => await MkcolAsync(request).ConfigureAwait(false),
                "COPY" => await CopyOrMoveAsync(request, move: false).ConfigureAwait(false),
                "MOVE" => await CopyOrMoveAsync(request, move: true).ConfigureAwait(false),
                "PROPFIND" => await PropfindAsync(request).ConfigureAwait(false),
                "PROPPATCH" => await ProppatchAsync(request).ConfigureAwait(false),
                "LOCK" => await LockAsync(request).ConfigureAwait(false),
                "UNLOCK" => await UnlockAsync(request).ConfigureAwait(false),
                _ => Problems.Create(StatusCodes.Status405MethodNotAllowed, ErrorCodes.MethodNotAllowed, $"WebDAV supports {AllowedMethods}"),
            };
        }

        SetDavHeaders(context);
        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary>One request: the context, the caller and the VFS path of the request URL.</summary>
    private sealed record DavRequest(HttpContext Context, FilePrincipal Principal, VfsPath Path, CancellationToken CancellationToken)
    {
        public HttpRequest Http => Context.Request;

        /// <summary>The parsed <c>If</c> header, or null when there is none.</summary>
        public DavIfHeader? If { get; set; }
    }

    // ------------------------------------------------------------------ GET, HEAD, PUT, DELETE, MKCOL

    private async Task<IResult> GetAsync(DavRequest request)
    {
        var stat = await files.StatAsync(request.Principal, request.Path, request.CancellationToken).ConfigureAwait(false);
        if (!stat.IsSuccess)
        {
            return stat.Error.ToResult();
        }

        if (stat.Value.Kind == EntryKind.Folder)
        {
            return await FolderPageAsync(request, stat.Value).ConfigureAwait(false);
        }

        var opened = await files.OpenReadAsync(request.Principal, request.Path, 0, null, request.CancellationToken).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return opened.Error.ToResult();
        }

        var (entry, content) = opened.Value;
        Endpoints.FileEndpoints.ProtectUserContent(request.Context.Response);
        return TypedResults.Stream(content, entry.MimeType ?? "application/octet-stream", lastModified: entry.ModifiedAt, entityTag: EntityTagHeaderValue.Parse(entry.ETag), enableRangeProcessing: true);
    }

    /// <summary>A folder in a browser: a plain HTML list of its first entries.</summary>
    private async Task<IResult> FolderPageAsync(DavRequest request, FileEntry folder)
    {
        var listing = await files.ListAsync(request.Principal, folder.Path, ListOrder.Name, false, 1000, null, request.CancellationToken).ConfigureAwait(false);
        if (!listing.IsSuccess)
        {
            return listing.Error.ToResult();
        }

        var html = new System.Text.StringBuilder("<!doctype html><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(folder.Path.Value)).Append("</title><h1>").Append(WebUtility.HtmlEncode(folder.Path.Value)).Append("</h1><ul>");
        foreach (var entry in listing.Value.Entries)
        {
            var href = DavXml.Href(entry.Path, entry.Kind == EntryKind.Folder);
            html.Append("<li><a href=\"").Append(WebUtility.HtmlEncode(href)).Append("\">")
                .Append(WebUtility.HtmlEncode(entry.Name + (entry.Kind == EntryKind.Folder ? "/" : string.Empty))).Append("</a></li>");
        }

        html.Append("</ul>");
        request.Context.Response.Headers.ETag = folder.ETag;
        return TypedResults.Content(html.ToString(), "text/html; charset=utf-8");
    }

    private async Task<IResult> PutAsync(DavRequest request)
    {
        var http = request.Http;
        if (http.Headers.ContainsKey(HeaderNames.ContentRange))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "partial PUT (Content-Range) is not supported: send the whole file");
        }

        if (http.ContentLength > MaxUploadBytes)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.ContentTooLarge, $"a file may have at most {MaxUploadBytes} bytes");
        }

        var current = await files.StatAsync(request.Principal, request.Path, request.CancellationToken).ConfigureAwait(false);
        var existing = current.IsSuccess ? current.Value : null;
        if (existing is { Kind: EntryKind.Folder })
        {
            return Problems.Create(StatusCodes.Status405MethodNotAllowed, ErrorCodes.NotAFile, "PUT cannot replace a collection");
        }

        if (!current.IsSuccess && current.Error.Code != ErrorCodes.FileNotFound)
        {
            return current.Error.ToResult();
        }

        if (await PreconditionsAsync(request, request.Path, existing, membership: existing is null, subtree: false).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var ifNoneMatch = http.Headers.IfNoneMatch.ToString().Trim();
        var ifMatch = http.Headers.IfMatch.ToString().Trim();
        if ((ifMatch.Length > 0 && existing is null) || (ifNoneMatch.Length > 0 && existing is not null && (ifNoneMatch == "*" || ifNoneMatch.Split(',').Any(t => DavIfHeader.SameETag(t.Trim(), existing.ETag)))))
        {
            return Problems.Create(StatusCodes.Status412PreconditionFailed, ErrorCodes.EtagMismatch, "If-Match / If-None-Match does not hold for the current file");
        }

        if (request.Context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxUploadBytes;
        }

        var options = new WriteOptions(ifMatch is { Length: > 0 } and not "*" ? ifMatch : null, ifNoneMatch == "*", http.ContentLength, MaxUploadBytes);
        var written = await files.WriteAsync(request.Principal, request.Path, http.Body, options, request.CancellationToken).ConfigureAwait(false);
        if (!written.IsSuccess)
        {
            return WriteFailure(written.Error);
        }

        request.Context.Response.Headers.ETag = written.Value.ETag;
        return existing is null ? Status(StatusCodes.Status201Created, DavXml.Href(request.Path, folder: false)) : Status(StatusCodes.Status204NoContent);
    }

    private async Task<IResult> DeleteAsync(DavRequest request)
    {
        var current = await files.StatAsync(request.Principal, request.Path, request.CancellationToken).ConfigureAwait(false);
        if (!current.IsSuccess)
        {
            return current.Error.ToResult();
        }

        if (await PreconditionsAsync(request, request.Path, current.Value, membership: true, subtree: true).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var ifMatch = request.Http.Headers.IfMatch.ToString().Trim();
        var deleted = await files.DeleteAsync(request.Principal, request.Path, recursive: true, ifMatch is { Length: > 0 } and not "*" ? ifMatch : null, request.CancellationToken).ConfigureAwait(false);
        if (!deleted.IsSuccess)
        {
            return WriteFailure(deleted.Error);
        }

        await properties.DeleteTreeAsync(request.Path, CancellationToken.None).ConfigureAwait(false);
        await locks.RemoveTreeAsync(request.Path, CancellationToken.None).ConfigureAwait(false);
        return Status(StatusCodes.Status204NoContent);
    }

    private async Task<IResult> MkcolAsync(DavRequest request)
    {
        var http = request.Http;
        if (http.ContentLength > 0 || (http.ContentLength is null && http.Headers.TransferEncoding.Count > 0))
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.InvalidRequest, "MKCOL with a body is not supported");
        }

        var current = await files.StatAsync(request.Principal, request.Path, request.CancellationToken).ConfigureAwait(false);
        if (current.IsSuccess)
        {
            return Problems.Create(StatusCodes.Status405MethodNotAllowed, ErrorCodes.FileExists, $"'{request.Path}' already exists");
        }

        if (current.Error.Code != ErrorCodes.FileNotFound)
        {
            return current.Error.ToResult();
        }

        if (await PreconditionsAsync(request, request.Path, null, membership: true, subtree: false).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var created = await files.CreateFolderAsync(request.Principal, request.Path, parents: false, request.CancellationToken).ConfigureAwait(false);
        return created.IsSuccess ? Status(StatusCodes.Status201Created, DavXml.Href(request.Path, folder: true)) : WriteFailure(created.Error);
    }

    // ------------------------------------------------------------------ COPY, MOVE

    private async Task<IResult> CopyOrMoveAsync(DavRequest request, bool move)
    {
        var http = request.Http;
        var destinationHeader = http.Headers["Destination"].ToString();
        if (destinationHeader.Length == 0)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "COPY and MOVE need a Destination header");
        }

        if (DavEndpoints.PathOfUrl(request.Context, destinationHeader) is not { } parsedDestination)
        {
            return Problems.Create(StatusCodes.Status502BadGateway, ErrorCodes.InvalidRequest, $"the Destination must be on this server, under {DavEndpoints.Prefix}/");
        }

        if (!parsedDestination.IsSuccess)
        {
            return parsedDestination.Error.ToResult();
        }

        var destination = parsedDestination.Value;
        var overwriteHeader = http.Headers["Overwrite"].ToString().Trim();
        if (overwriteHeader is not ("" or "T" or "F" or "t" or "f"))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "Overwrite is T or F");
        }

        var overwrite = overwriteHeader is not ("F" or "f");
        var depth = http.Headers["Depth"].ToString().Trim();
        var shallow = depth == "0";
        if (depth is not ("" or "0" or "infinity" or "Infinity"))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "Depth for COPY is 0 or infinity, for MOVE infinity");
        }

        var source = await files.StatAsync(request.Principal, request.Path, request.CancellationToken).ConfigureAwait(false);
        if (!source.IsSuccess)
        {
            return source.Error.ToResult();
        }

        if (move && shallow && source.Value.Kind == EntryKind.Folder)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "MOVE of a collection needs Depth: infinity");
        }

        if (destination == request.Path || (source.Value.Kind == EntryKind.Folder && destination.IsSameOrUnder(request.Path)))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.InvalidPath, "the destination is the source or inside it");
        }

        var target = await files.StatAsync(request.Principal, destination, request.CancellationToken).ConfigureAwait(false);
        if (!target.IsSuccess && target.Error.Code != ErrorCodes.FileNotFound)
        {
            return target.Error.ToResult();
        }

        var existing = target.IsSuccess ? target.Value : null;
        var parent = await files.StatAsync(request.Principal, destination.Parent, request.CancellationToken).ConfigureAwait(false);
        if (!parent.IsSuccess && parent.Error.Code != ErrorCodes.FileNotFound)
        {
            return parent.Error.ToResult();
        }

        if (!parent.IsSuccess || parent.Value.Kind != EntryKind.Folder)
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.FileNotFound, $"the destination's parent '{destination.Parent}' does not exist");
        }

        if (existing is not null && !overwrite)
        {
            return Problems.Create(StatusCodes.Status412PreconditionFailed, ErrorCodes.FileExists, $"'{destination}' exists and Overwrite is F");
        }

        if (await PreconditionsAsync(request, request.Path, source.Value, membership: move, subtree: move, checkLocks: move).ConfigureAwait(false) is { } refusedSource)
        {
            return refusedSource;
        }

        if (await LockCheckAsync(request, destination, membership: true, subtree: existing is not null).ConfigureAwait(false) is { } refusedDestination)
        {
            return refusedDestination;
        }

        // Replace what is there (RFC 4918 §9.8.4, §9.9.3): a file over a file atomically; anything with a collection by delete first.
        if (existing is not null && (existing.Kind == EntryKind.Folder || source.Value.Kind == EntryKind.Folder || shallow))
        {
            var removed = await files.DeleteAsync(request.Principal, destination, recursive: true, null, request.CancellationToken).ConfigureAwait(false);
            if (!removed.IsSuccess)
            {
                return WriteFailure(removed.Error);
            }

            await properties.DeleteTreeAsync(destination, CancellationToken.None).ConfigureAwait(false);
        }

        if (existing is not null)
        {
            await locks.RemoveTreeAsync(destination, CancellationToken.None).ConfigureAwait(false);
        }

        Result<FileEntry> done;
        if (!move && shallow && source.Value.Kind == EntryKind.Folder)
        {
            done = await files.CreateFolderAsync(request.Principal, destination, parents: false, request.CancellationToken).ConfigureAwait(false);
        }
        else
        {
            done = move
                ? await files.MoveAsync(request.Principal, request.Path, destination, overwrite, request.CancellationToken).ConfigureAwait(false)
                : await files.CopyAsync(request.Principal, request.Path, destination, overwrite, request.CancellationToken).ConfigureAwait(false);
        }

        if (!done.IsSuccess)
        {
            return WriteFailure(done.Error);
        }

        if (move)
        {
            await properties.MoveTreeAsync(request.Path, destination, CancellationToken.None).ConfigureAwait(false);
            await locks.RemoveTreeAsync(request.Path, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            await properties.CopyTreeAsync(request.Path, destination, recursive: !shallow, CancellationToken.None).ConfigureAwait(false);
        }

        return existing is null ? Status(StatusCodes.Status201Created, DavXml.Href(destination, done.Value.Kind == EntryKind.Folder)) : Status(StatusCodes.Status204NoContent);
    }

    // ------------------------------------------------------------------ shared

    private static void SetDavHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["DAV"] = "1, 2";
        headers["MS-Author-Via"] = "DAV";
        headers.Allow = AllowedMethods;
    }

    /// <summary>A status with no body (and a Location for 201).</summary>
    private static StatusResult Status(int status, string? location = null) => new StatusResult(status, location);

    /// <summary>A failed write as HTTP: a missing parent is 409 (RFC 4918 §9.7.1), the rest as everywhere.</summary>
    private static ProblemHttpResult WriteFailure(GreyError error) => error.Code switch
    {
        ErrorCodes.FileNotFound or ErrorCodes.NotAFolder => Problems.Create(StatusCodes.Status409Conflict, error.Code, error.Message),
        ErrorCodes.EtagMismatch => Problems.Create(StatusCodes.Status412PreconditionFailed, error.Code, error.Message),
        ErrorCodes.ContentTooLarge when error.Kind == ErrorKind.InsufficientStorage => error.ToResult(),
        _ => error.ToResult(),
    };

    private sealed class StatusResult(int status, string? location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            if (location is not null)
            {
                httpContext.Response.Headers.Location = location;
            }

            httpContext.Response.ContentLength = 0;
            return Task.CompletedTask;
        }
    }

    private static string Seconds(TimeSpan timeout) => string.Create(CultureInfo.InvariantCulture, $"Second-{(long)timeout.TotalSeconds}");

    [LoggerMessage(EventId = 3601, Level = LogLevel.Debug, Message = "WebDAV {Method} refused with {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, int status, string reason);
}
