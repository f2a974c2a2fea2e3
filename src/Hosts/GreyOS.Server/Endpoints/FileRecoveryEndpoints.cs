using System.Security.Claims;
using System.Text.Json;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Protocol;
using GreyOS.Server.Http;

namespace GreyOS.Server.Endpoints;

/// <summary>
/// Keeping and recovering files over HTTP (<c>/api/v1/fs</c>): versions, the trash, quotas, name
/// search and watching (server-sent events). Access is the VFS's to check, as for the other file routes.
/// </summary>
internal static class FileRecoveryEndpoints
{
    /// <summary>How often a watch sends a comment line so proxies and clients see the stream is alive.</summary>
    public static readonly TimeSpan WatchKeepAlive = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapFileRecoveryEndpoints(this RouteGroupBuilder api)
    {
        var fs = api.MapGroup("/fs");
        fs.MapGet("/versions/{**path}", async Task<Results<Ok<FileVersionListResponse>, ProblemHttpResult>> (string? path, ClaimsPrincipal user, IFileRecovery recovery, CancellationToken ct) =>
            {
                var parsed = FileEndpoints.Parse(path);
                if (!parsed.IsSuccess)
                {
                    return parsed.Error.ToResult();
                }

                var versions = await recovery.ListVersionsAsync(FileEndpoints.PrincipalOf(user), parsed.Value, ct).ConfigureAwait(false);
                return versions.IsSuccess
                    ? TypedResults.Ok(new FileVersionListResponse(versions.Value.Select(v => new FileVersionResponse(v.Id, v.Path.Value, v.Length, v.ETag, v.ModifiedAt, v.SavedAt, v.SavedBy)).ToList()))
                    : versions.Error.ToResult();
            })
            .WithName("ListFileVersions")
            .WithSummary("The kept earlier contents of a file, newest first.");

        fs.MapPost("/versions/restore", async Task<Results<Ok<FileEntryResponse>, ProblemHttpResult>> (RestoreVersionRequest? request, ClaimsPrincipal user, IFileRecovery recovery, CancellationToken ct) =>
            {
                if (request is null)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"path\": \"/…\", \"version\": 12}");
                }

                var parsed = VfsPath.Parse(request.Path);
                if (!parsed.IsSuccess)
                {
                    return parsed.Error.ToResult();
                }

                var restored = await recovery.RestoreVersionAsync(FileEndpoints.PrincipalOf(user), parsed.Value, request.Version, request.IfMatch, ct).ConfigureAwait(false);
                return restored.IsSuccess ? TypedResults.Ok(FileEndpoints.ToResponse(restored.Value)) : restored.Error.ToResult();
            })
            .WithName("RestoreFileVersion")
            .WithSummary("Makes a kept version the file's content again (the current content becomes a version).");

        fs.MapGet("/trash", async Task<Results<Ok<TrashListResponse>, ProblemHttpResult>> (bool? all, ClaimsPrincipal user, IFileRecovery recovery, CancellationToken ct) =>
            {
                var items = await recovery.ListTrashAsync(FileEndpoints.PrincipalOf(user), all ?? false, ct).ConfigureAwait(false);
                return items.IsSuccess ? TypedResults.Ok(new TrashListResponse(items.Value.Select(ToResponse).ToList())) : items.Error.ToResult();
            })
            .WithName("ListTrash")
            .WithSummary("The caller's trash, newest first (all=true: every trash, administrators only).");

        fs.MapPost("/trash/{id}/restore", async Task<Results<Ok<FileEntryResponse>, ProblemHttpResult>> (string id, RestoreTrashRequest? request, ClaimsPrincipal user, IFileRecovery recovery, CancellationToken ct) =>
            {
                VfsPath? destination = null;
                if (request?.Destination is { } wanted)
                {
                    var parsed = VfsPath.Parse(wanted);
                    if (!parsed.IsSuccess)
                    {
                        return parsed.Error.ToResult();
                    }

                    destination = parsed.Value;
                }

                var restored = await recovery.RestoreFromTrashAsync(FileEndpoints.PrincipalOf(user), id, destination, ct).ConfigureAwait(false);
                return restored.IsSuccess ? TypedResults.Ok(FileEndpoints.ToResponse(restored.Value)) : restored.Error.ToResult();
            })
            .WithName("RestoreFromTrash")
            .WithSummary("Puts a trash item back where it was (or at destination); 409 file_exists when that path is taken.");

        fs.MapDelete("/trash/{id}", async Task<Results<Ok<TrashItemResponse>, ProblemHttpResult>> (string id, ClaimsPrincipal user, IFileRecovery recovery, CancellationToken ct) =>
            {
                var purged = await recovery.PurgeAsync(FileEndpoints.PrincipalOf(user), id, ct).ConfigureAwait(false);
                return purged.IsSuccess ? TypedResults.Ok(ToResponse(purged.Value)) : purged.Error.ToResult();
            })
            .WithName("PurgeTrashItem")
            .WithSummary("Deletes a trash item for good.");

        fs.MapDelete("/trash", async Task<Results<Ok<EmptyTrashResponse>, ProblemHttpResult>> (ClaimsPrincipal user, IFileRecovery recovery, CancellationToken ct) =>
            {
                var emptied = await recovery.EmptyTrashAsync(FileEndpoints.PrincipalOf(user), ct).ConfigureAwait(false);
                return emptied.IsSuccess ? TypedResults.Ok(new EmptyTrashResponse(emptied.Value)) : emptied.Error.ToResult();
            })
            .WithName("EmptyTrash")
            .WithSummary("Deletes everything in the caller's trash for good.");

        fs.MapGet("/quota/{**path}", async Task<Results<Ok<QuotaResponse>, ProblemHttpResult>> (string? path, ClaimsPrincipal user, IFileRecovery recovery, CancellationToken ct) =>
            {
                var principal = FileEndpoints.PrincipalOf(user);
                var parsed = string.IsNullOrEmpty(path) ? VfsPath.Parse("/home/" + principal.UserName) : FileEndpoints.Parse(path);
                if (!parsed.IsSuccess)
                {
                    return parsed.Error.ToResult();
                }

                var usage = await recovery.QuotaAsync(principal, parsed.Value, ct).ConfigureAwait(false);
                return usage.IsSuccess
                    ? TypedResults.Ok(new QuotaResponse(usage.Value.Root.Value, usage.Value.UsedBytes, usage.Value.TrashBytes, usage.Value.QuotaBytes))
                    : usage.Error.ToResult();
            })
            .WithName("GetQuota")
            .WithSummary("The quota covering a path (default: the caller's home) and its use: live files plus trash; 0 = unlimited.");

        fs.MapGet("/search/{**path}", async Task<Results<Ok<FileSearchResponse>, ProblemHttpResult>> (string? path, string? q, int? limit, ClaimsPrincipal user, IFileRecovery recovery, CancellationToken ct) =>
            {
                var parsed = FileEndpoints.Parse(path);
                if (!parsed.IsSuccess)
                {
                    return parsed.Error.ToResult();
                }

                var found = await recovery.SearchAsync(FileEndpoints.PrincipalOf(user), parsed.Value, q ?? "", limit ?? 100, ct).ConfigureAwait(false);
                return found.IsSuccess ? TypedResults.Ok(new FileSearchResponse(found.Value.Select(FileEndpoints.ToResponse).ToList())) : found.Error.ToResult();
            })
            .WithName("SearchFiles")
            .WithSummary("Entries under a folder whose name contains q (case-insensitive), nearest first; limit ≤ 1000 (default 100).");

        fs.MapGet("/watch/{**path}", WatchAsync)
            .WithName("WatchFolder")
            .WithSummary("Changes under a folder as server-sent events (event: change, data: JSON); an 'overflow' change ends a watch that fell behind.");
        return api;
    }

    private static async Task<IResult> WatchAsync(string? path, HttpContext context, IFileRecovery recovery, CancellationToken ct)
    {
        var parsed = FileEndpoints.Parse(path);
        if (!parsed.IsSuccess)
        {
            return parsed.Error.ToResult();
        }

        var watch = await recovery.WatchAsync(FileEndpoints.PrincipalOf(context.User), parsed.Value, ct).ConfigureAwait(false);
        if (!watch.IsSuccess)
        {
            return watch.Error.ToResult();
        }

        var response = context.Response;
        var changes = watch.Value.GetAsyncEnumerator(ct);
        Task<bool>? next = null;
        try
        {
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            await response.WriteAsync(": watching\n\n", ct).ConfigureAwait(false);
            await response.Body.FlushAsync(ct).ConfigureAwait(false);
            next = changes.MoveNextAsync().AsTask();
            var tick = Task.Delay(WatchKeepAlive, ct);
            while (!ct.IsCancellationRequested)
            {
                if (await Task.WhenAny(next, tick).ConfigureAwait(false) == tick)
                {
                    if (ct.IsCancellationRequested)
                    {
                        break;
                    }

                    await response.WriteAsync(": keep-alive\n\n", ct).ConfigureAwait(false);
                    await response.Body.FlushAsync(ct).ConfigureAwait(false);
                    tick = Task.Delay(WatchKeepAlive, ct);
                    continue;
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                var change = changes.Current;
                var payload = new FileChangeEvent(
                    change.Kind.ToString().ToLowerInvariant(), change.Path.Value, change.OldPath?.Value,
                    change.EntryKind == EntryKind.File ? "file" : "folder", change.ETag, change.At);
                await response.WriteAsync("event: change\ndata: " + JsonSerializer.Serialize(payload, ProtocolJsonContext.Default.FileChangeEvent) + "\n\n", ct).ConfigureAwait(false);
                await response.Body.FlushAsync(ct).ConfigureAwait(false);
                next = changes.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            // A pending read ends with the request's cancellation; the watch ends with the request, always.
            if (next is not null)
            {
                try
                {
                    await next.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }

            await changes.DisposeAsync().ConfigureAwait(false);
        }

        return Results.Empty;
    }

    private static TrashItemResponse ToResponse(TrashItem item) =>
        new(item.Id, item.OriginalPath.Value, item.Kind == EntryKind.File ? "file" : "folder", item.Length, item.DeletedAt, item.DeletedBy, item.Owner);
}
