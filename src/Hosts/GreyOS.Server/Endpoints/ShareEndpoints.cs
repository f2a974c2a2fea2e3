using System.Security.Claims;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Identity;
using GreyOS.Protocol;
using GreyOS.Server.Http;
using Microsoft.Net.Http.Headers;

namespace GreyOS.Server.Endpoints;

/// <summary>
/// Sharing over HTTP: shares of paths with users, groups and apps (<c>/api/v1/fs/shares</c>), public
/// links (<c>/api/v1/fs/links</c> to manage them, anonymous <c>/api/v1/links/{token}</c> to open them)
/// and the mount table (<c>/api/v1/fs/mounts</c>, administrators).
/// </summary>
internal static class ShareEndpoints
{
    /// <summary>The header a visitor sends a link's password in (HTTP Basic with any user name works too).</summary>
    public const string LinkPasswordHeader = "X-Link-Password";

    public static RouteGroupBuilder MapShareEndpoints(this RouteGroupBuilder api)
    {
        var fs = api.MapGroup("/fs");
        fs.MapGet("/shares/{**path}", async Task<Results<Ok<ShareListResponse>, ProblemHttpResult>> (string? path, ClaimsPrincipal user, IFileSharing sharing, CancellationToken ct) =>
            {
                var parsed = FileEndpoints.Parse(path);
                if (!parsed.IsSuccess)
                {
                    return parsed.Error.ToResult();
                }

                var shares = await sharing.ListSharesAsync(FileEndpoints.PrincipalOf(user), parsed.Value, ct).ConfigureAwait(false);
                return shares.IsSuccess ? TypedResults.Ok(new ShareListResponse(shares.Value.Select(ToResponse).ToList())) : shares.Error.ToResult();
            })
            .WithName("ListShares")
            .WithSummary("The shares on a path.");

        fs.MapPut("/shares/{**path}", async Task<Results<Ok<ShareResponse>, ProblemHttpResult>> (string? path, ShareRequest? request, ClaimsPrincipal user, IFileSharing sharing, CancellationToken ct) =>
            {
                var parsed = FileEndpoints.Parse(path);
                if (!parsed.IsSuccess)
                {
                    return parsed.Error.ToResult();
                }

                if (request is null || ParseKind(request.Kind) is not { } kind || ParseRights(request.Rights) is not { } rights)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"kind\": \"user|group|app\", \"name\": \"…\", \"rights\": [\"read\", \"write\", \"share\"]}");
                }

                var shared = await sharing.ShareAsync(FileEndpoints.PrincipalOf(user), parsed.Value, kind, request.Name, rights, ct).ConfigureAwait(false);
                return shared.IsSuccess ? TypedResults.Ok(ToResponse(shared.Value)) : shared.Error.ToResult();
            })
            .WithName("SharePath")
            .WithSummary("Shares a path (and everything below it) with a user or group (by name) or an app (by id); replaces that sharee's rights.");

        fs.MapDelete("/shares/{**path}", async Task<Results<Ok<ShareResponse>, ProblemHttpResult>> (string? path, string? kind, string? name, ClaimsPrincipal user, IFileSharing sharing, CancellationToken ct) =>
            {
                var parsed = FileEndpoints.Parse(path);
                if (!parsed.IsSuccess)
                {
                    return parsed.Error.ToResult();
                }

                if (ParseKind(kind) is not { } sharee || string.IsNullOrEmpty(name))
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "name the share: ?kind=user|group|app&name=…");
                }

                var removed = await sharing.UnshareAsync(FileEndpoints.PrincipalOf(user), parsed.Value, sharee, name, ct).ConfigureAwait(false);
                return removed.IsSuccess ? TypedResults.Ok(ToResponse(removed.Value)) : removed.Error.ToResult();
            })
            .WithName("UnsharePath")
            .WithSummary("Removes a share.");

        fs.MapGet("/shared-with-me", async (ClaimsPrincipal user, IFileSharing sharing, CancellationToken ct) =>
                TypedResults.Ok(new ShareListResponse((await sharing.SharedWithAsync(FileEndpoints.PrincipalOf(user), ct).ConfigureAwait(false)).Select(ToResponse).ToList())))
            .WithName("SharedWithMe")
            .WithSummary("What others shared with the caller (directly or through a group).");

        fs.MapPost("/links", async Task<Results<Created<CreatedLinkResponse>, ProblemHttpResult>> (CreateLinkRequest? request, ClaimsPrincipal user, IFileSharing sharing, CancellationToken ct) =>
            {
                if (request is null)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"path\": \"/…\", \"expiresAt\": null, \"password\": null}");
                }

                var parsed = VfsPath.Parse(request.Path);
                if (!parsed.IsSuccess)
                {
                    return parsed.Error.ToResult();
                }

                var created = await sharing.CreateLinkAsync(FileEndpoints.PrincipalOf(user), parsed.Value, request.ExpiresAt, request.Password, ct).ConfigureAwait(false);
                if (!created.IsSuccess)
                {
                    return created.Error.ToResult();
                }

                var url = "/api/v1/links/" + created.Value.Token;
                return TypedResults.Created(url, new CreatedLinkResponse(ToResponse(created.Value.Link), created.Value.Token, url));
            })
            .WithName("CreateLink")
            .WithSummary("Creates a public read-only link (optional expiry and password); the token is shown only now.");

        fs.MapGet("/links", async Task<Results<Ok<LinkListResponse>, ProblemHttpResult>> (bool? all, ClaimsPrincipal user, IFileSharing sharing, CancellationToken ct) =>
            {
                var links = await sharing.ListLinksAsync(FileEndpoints.PrincipalOf(user), all ?? false, ct).ConfigureAwait(false);
                return links.IsSuccess ? TypedResults.Ok(new LinkListResponse(links.Value.Select(ToResponse).ToList())) : links.Error.ToResult();
            })
            .WithName("ListLinks")
            .WithSummary("The caller's public links (all=true: every link, administrators only).");

        fs.MapDelete("/links/{id}", async Task<Results<Ok<LinkResponse>, ProblemHttpResult>> (string id, ClaimsPrincipal user, IFileSharing sharing, CancellationToken ct) =>
            {
                var revoked = await sharing.RevokeLinkAsync(FileEndpoints.PrincipalOf(user), id, ct).ConfigureAwait(false);
                return revoked.IsSuccess ? TypedResults.Ok(ToResponse(revoked.Value)) : revoked.Error.ToResult();
            })
            .WithName("RevokeLink")
            .WithSummary("Revokes a public link.");

        fs.MapGet("/mounts", async Task<Results<Ok<MountListResponse>, ProblemHttpResult>> (ClaimsPrincipal user, IMountTable mounts, CancellationToken ct) =>
            {
                var listed = await mounts.ListMountsAsync(FileEndpoints.PrincipalOf(user), ct).ConfigureAwait(false);
                return listed.IsSuccess ? TypedResults.Ok(new MountListResponse(listed.Value.Select(ToResponse).ToList())) : listed.Error.ToResult();
            })
            .RequirePermission(Permissions.FsAdmin)
            .WithName("ListMounts")
            .WithSummary("The mount table.");

        fs.MapPost("/mounts", async Task<Results<Created<MountResponse>, ProblemHttpResult>> (CreateMountRequest? request, ClaimsPrincipal user, IMountTable mounts, CancellationToken ct) =>
            {
                if (request is null)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"name\": \"media\", \"backend\": \"local\", \"source\": \"/srv/media\", \"readOnly\": false}");
                }

                var mounted = await mounts.MountAsync(FileEndpoints.PrincipalOf(user), request.Name, request.Backend, request.Source, request.ReadOnly, ct).ConfigureAwait(false);
                return mounted.IsSuccess ? TypedResults.Created("/api/v1/fs/list" + mounted.Value.MountPoint, ToResponse(mounted.Value)) : mounted.Error.ToResult();
            })
            .RequirePermission(Permissions.FsAdmin)
            .WithName("CreateMount")
            .WithSummary("Attaches a backend at /mnt/<name>: local (a host folder inside FileSystem:MountRoots) or sqlite; share its folder to give access.");

        fs.MapDelete("/mounts/{name}", async Task<Results<Ok<MountResponse>, ProblemHttpResult>> (string name, ClaimsPrincipal user, IMountTable mounts, CancellationToken ct) =>
            {
                var removed = await mounts.UnmountAsync(FileEndpoints.PrincipalOf(user), name, ct).ConfigureAwait(false);
                return removed.IsSuccess ? TypedResults.Ok(ToResponse(removed.Value)) : removed.Error.ToResult();
            })
            .RequirePermission(Permissions.FsAdmin)
            .WithName("DeleteMount")
            .WithSummary("Detaches a mount (its content stays where it is).");

        api.MapGet("/links/{token}/{**path}", OpenLinkAsync)
            .AllowAnonymous()
            .WithName("OpenLink")
            .WithSummary("Opens a public link: a file's bytes (Range supported), or a folder's listing as JSON; path names an entry inside a linked folder. Password: X-Link-Password or HTTP Basic.");
        return api;
    }

    private static async Task<IResult> OpenLinkAsync(string token, string? path, string? cursor, HttpContext context, IFileSharing sharing, IFileSystem files, FailedCredentialLimiter limiter, CancellationToken ct)
    {
        // Wrong link passwords are limited per link (the VFS) and per address (here).
        var password = PasswordOf(context.Request);
        if (password is not null && limiter.Refusal(context) is { } refused)
        {
            return refused.ToResult();
        }

        var opened = await sharing.OpenLinkAsync(token, password, ct).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            if (opened.Error.Code == ErrorCodes.LinkPassword)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"GreyOS link\", charset=\"UTF-8\"";
                if (password is not null)
                {
                    limiter.Failed(context);
                }
            }

            return opened.Error.ToResult();
        }

        var link = opened.Value;
        var target = link.Path;
        if (!string.IsNullOrEmpty(path))
        {
            var inner = VfsPath.Parse("/" + path);
            if (!inner.IsSuccess)
            {
                return inner.Error.ToResult();
            }

            target = link.Path.IsRoot ? inner.Value : VfsPath.Parse(link.Path.Value + inner.Value.Value) is { IsSuccess: true } joined ? joined.Value : link.Path;
            if (!target.IsSameOrUnder(link.Path) || target == link.Path)
            {
                return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidPath, "the path is not inside the linked folder");
            }
        }

        // User content on the node's origin: never let a browser run it.
        FileEndpoints.ProtectUserContent(context.Response);
        var stat = await files.StatAsync(link.Principal, target, ct).ConfigureAwait(false);
        if (!stat.IsSuccess)
        {
            return NotFoundInLink(stat.Error);
        }

        if (stat.Value.Kind == EntryKind.Folder)
        {
            var listing = await files.ListAsync(link.Principal, target, ListOrder.Name, false, 1000, cursor, ct).ConfigureAwait(false);
            if (!listing.IsSuccess)
            {
                return NotFoundInLink(listing.Error);
            }

            var entries = listing.Value.Entries.Select(e => FileEndpoints.ToResponse(e) with { Path = Relative(link.Path, e.Path) }).ToList();
            return TypedResults.Ok(new LinkFolderResponse(stat.Value.Name, entries, listing.Value.Total, listing.Value.NextCursor));
        }

        var read = await files.OpenReadAsync(link.Principal, target, 0, null, ct).ConfigureAwait(false);
        if (!read.IsSuccess)
        {
            return NotFoundInLink(read.Error);
        }

        var (entry, content) = read.Value;
        context.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = entry.Name }.ToString();
        return TypedResults.Stream(content, entry.MimeType ?? "application/octet-stream", lastModified: entry.ModifiedAt, entityTag: EntityTagHeaderValue.Parse(entry.ETag), enableRangeProcessing: true);
    }

    /// <summary>Visitors never learn why a path inside a link is not there (forbidden looks like missing).</summary>
    private static ProblemHttpResult NotFoundInLink(GreyError error) =>
        error.Kind is ErrorKind.Forbidden or ErrorKind.NotFound
            ? Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.FileNotFound, "nothing at that path in this link")
            : error.ToResult();

    private static string Relative(VfsPath root, VfsPath path) =>
        root.IsRoot ? path.Value : path.Value.Length == root.Value.Length ? "/" : path.Value[root.Value.Length..];

    private static string? PasswordOf(HttpRequest request)
    {
        if (request.Headers[LinkPasswordHeader].ToString() is { Length: > 0 } header)
        {
            return header;
        }

        return BasicCredentials.TryParse(request.Headers.Authorization.ToString(), out _, out var secret) ? secret : null;
    }

    private static ShareeKind? ParseKind(string? kind) => kind switch
    {
        "user" => ShareeKind.User,
        "group" => ShareeKind.Group,
        "app" => ShareeKind.App,
        _ => null,
    };

    private static FileRights? ParseRights(IReadOnlyList<string>? rights)
    {
        if (rights is null || rights.Count == 0)
        {
            return null;
        }

        var parsed = FileRights.None;
        foreach (var right in rights)
        {
            switch (right)
            {
                case "read":
                    parsed |= FileRights.Read;
                    break;
                case "write":
                    parsed |= FileRights.Write;
                    break;
                case "share":
                    parsed |= FileRights.Share;
                    break;
                default:
                    return null;
            }
        }

        return parsed;
    }

    private static ShareResponse ToResponse(ShareEntry share)
    {
        var rights = new List<string>();
        if ((share.Rights & (FileRights.Read | FileRights.Write)) != 0)
        {
            rights.Add("read");
        }

        if ((share.Rights & FileRights.Write) != 0)
        {
            rights.Add("write");
        }

        if ((share.Rights & FileRights.Share) != 0)
        {
            rights.Add("share");
        }

        var kind = share.Kind switch { ShareeKind.User => "user", ShareeKind.Group => "group", _ => "app" };
        return new ShareResponse(share.Path.Value, kind, share.Id, share.Name, rights, share.GrantedBy, share.GrantedAt);
    }

    private static LinkResponse ToResponse(PublicLink link) =>
        new(link.Id, link.Path.Value, link.CreatedBy, link.CreatedAt, link.ExpiresAt, link.HasPassword, link.Downloads);

    private static MountResponse ToResponse(MountInfo mount) =>
        new(mount.Name, mount.MountPoint, mount.Backend, mount.Source, mount.ReadOnly, mount.CreatedBy, mount.CreatedAt);
}
