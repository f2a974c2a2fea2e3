using System.Net.WebSockets;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Processes;
using GreyOS.Abstractions.Runtime;
using GreyOS.Protocol;
using GreyOS.Server.Http;
using Microsoft.AspNetCore.Http.Features;

namespace GreyOS.Server.Endpoints;

/// <summary>Modules and processes: upload, spawn, list, kill, wait, output, attach (WebSocket).</summary>
internal static class ProcessEndpoints
{
    /// <summary>Largest module accepted.</summary>
    public const long MaxModuleBytes = 64L * 1024 * 1024;

    private const int MaxWaitSeconds = 60;

    /// <summary>Most folders granted to one process through the API.</summary>
    private const int MaxDirectories = 16;

    public static RouteGroupBuilder MapProcessEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/modules/{sha256}", Results<Ok<ModuleResponse>, ProblemHttpResult> (string sha256, IWasmRuntime runtime) =>
                runtime.TryGetModule(sha256, out var module) && module is not null
                    ? TypedResults.Ok(ToResponse(module))
                    : ModuleNotFound(sha256))
            .WithName("GetModule")
            .WithSummary("A module known to the node, by the SHA-256 of its bytes.");

        api.MapPut("/modules/{sha256}", UploadModuleAsync)
            .RequirePermission(Permissions.ModulesUpload)
            .WithMetadata(new BodySizeLimit(MaxModuleBytes))
            .WithName("PutModule")
            .WithSummary("Uploads a WebAssembly module (raw bytes, at most 64 MiB); validated and compiled once.");

        api.MapPost("/processes", SpawnAsync)
            .RequirePermission(Permissions.ProcessesRun)
            .WithName("SpawnProcess")
            .WithSummary("Starts a process from an uploaded module.");

        api.MapGet("/processes", ListAsync)
            .WithName("ListProcesses")
            .WithSummary("Your processes, newest first (admins: all=true for everyone's).");

        api.MapGet("/processes/{pid:long}", async Task<Results<Ok<ProcessResponse>, ProblemHttpResult>> (long pid, ClaimsPrincipal user, IProcessManager processes, CancellationToken ct) =>
                await VisibleAsync(pid, user, processes, ct).ConfigureAwait(false) is { } info ? TypedResults.Ok(ToResponse(info)) : ProcessNotFound(pid))
            .WithName("GetProcess")
            .WithSummary("One process.");

        api.MapDelete("/processes/{pid:long}", async Task<Results<Ok<ProcessResponse>, ProblemHttpResult>> (long pid, ClaimsPrincipal user, IProcessManager processes, CancellationToken ct) =>
            {
                if (await VisibleAsync(pid, user, processes, ct).ConfigureAwait(false) is null)
                {
                    return ProcessNotFound(pid);
                }

                var result = await processes.KillAsync(pid, $"killed by {user.Identity?.Name}", ct).ConfigureAwait(false);
                return result.IsSuccess ? TypedResults.Ok(ToResponse(result.Value)) : result.Error.ToResult();
            })
            .WithName("KillProcess")
            .WithSummary("Kills a process (an ended one is returned unchanged).");

        api.MapGet("/processes/{pid:long}/wait", WaitAsync)
            .WithName("WaitProcess")
            .WithSummary("Waits until the process ends or the timeout (≤ 60 s) passes; check hasEnded.");

        api.MapGet("/processes/{pid:long}/output", async Task<Results<FileContentHttpResult, ProblemHttpResult>> (long pid, string? stream, ClaimsPrincipal user, IProcessManager processes, CancellationToken ct) =>
            {
                if (stream is not (null or "stdout" or "stderr"))
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "stream must be stdout or stderr");
                }

                if (await VisibleAsync(pid, user, processes, ct).ConfigureAwait(false) is null)
                {
                    return ProcessNotFound(pid);
                }

                var session = processes.Attach(pid);
                if (!session.IsSuccess)
                {
                    return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.ProcessNotFound, $"the output of process {pid} is no longer kept");
                }

                await using var attached = session.Value;
                var (stdout, stderr) = attached.ReadRetained();
                return TypedResults.File(stream == "stderr" ? stderr : stdout, "application/octet-stream");
            })
            .WithName("GetProcessOutput")
            .WithSummary("The retained stdout or stderr of a process.");

        api.MapGet("/processes/{pid:long}/attach", AttachAsync)
            .WithName("AttachProcess")
            .WithSummary("WebSocket: stdout/stderr out, stdin in; a final text frame with the record.");
        return api;
    }

    private static async Task<Results<Ok<ModuleResponse>, ProblemHttpResult>> UploadModuleAsync(string sha256, HttpContext context, IWasmRuntime runtime)
    {
        if (!IsSha256(sha256))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "the module name must be the lower-case hex SHA-256 of its bytes");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxModuleBytes;
        }

        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            body.Write(buffer, 0, read);
            if (body.Length > MaxModuleBytes)
            {
                return Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.InvalidRequest, $"a module may have at most {MaxModuleBytes} bytes");
            }
        }

        var bytes = body.ToArray();
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != sha256)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "the body's SHA-256 does not match the URL");
        }

        var result = runtime.LoadModule(bytes);
        return result.IsSuccess ? TypedResults.Ok(ToResponse(result.Value)) : result.Error.ToResult();
    }

    private static async Task<Results<Created<ProcessResponse>, ProblemHttpResult>> SpawnAsync(
        SpawnProcessRequest? request, HttpContext context, IProcessManager processes, IIdentityAudit audit, CancellationToken ct)
    {
        var user = context.User;
        if (request is null || string.IsNullOrEmpty(request.Module))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"module\": \"<sha256>\", …}");
        }

        var dirs = ParseDirectories(request.Dirs);
        if (!dirs.IsSuccess)
        {
            return dirs.Error.ToResult();
        }

        var limits = request.Limits is null ? null : new ProcessLimits(request.Limits.MemoryMiB ?? 0, request.Limits.CpuSeconds ?? 0, request.Limits.OutputBytes ?? 0, request.Limits.Nice ?? 0);
        var spawn = new SpawnRequest(
            request.Module,
            UserId(user),
            request.Args ?? [],
            request.Env ?? new Dictionary<string, string>(),
            limits,
            request.Capabilities,
            request.Name,
            KeepStdinOpen: request.Attach,
            Directories: dirs.Value,
            Files: dirs.Value.Count > 0 ? new FilePrincipal(UserId(user), user.Identity?.Name ?? string.Empty, user.Has(Permissions.FsAdmin)) : null,
            AppId: request.AppId);
        var result = await processes.SpawnAsync(spawn, ct).ConfigureAwait(false);
        if (result.IsSuccess)
        {
            // The usage profile: which apps this user runs, from which device and place.
            await audit.RecordUsageAsync(result.Value.OwnerUserId, result.Value.AppName, user.DeviceId(), context.Connection.RemoteIpAddress?.ToString(), ct).ConfigureAwait(false);
        }

        return result.IsSuccess
            ? TypedResults.Created($"/api/v1/processes/{result.Value.Pid}", ToResponse(result.Value))
            : result.Error.ToResult();
    }

    /// <summary>Granted folders, validated at the boundary (the kernel checks access before anything runs).</summary>
    private static Result<IReadOnlyList<DirectoryGrant>> ParseDirectories(IReadOnlyList<DirectoryGrantDto>? dirs)
    {
        if (dirs is null || dirs.Count == 0)
        {
            return Result<IReadOnlyList<DirectoryGrant>>.Success([]);
        }

        if (dirs.Count > MaxDirectories)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"at most {MaxDirectories} folders may be granted to a process");
        }

        var grants = new List<DirectoryGrant>();
        foreach (var dir in dirs)
        {
            if (dir is null)
            {
                return GreyError.Invalid(ErrorCodes.InvalidRequest, "dirs entries are {\"path\": \"/home/you/folder\", \"guest\": \"/folder\", \"readOnly\": false}");
            }

            var path = VfsPath.Parse(dir.Path);
            if (!path.IsSuccess)
            {
                return path.Error;
            }

            var guest = dir.Guest ?? path.Value.Value;
            if (!guest.StartsWith('/') || guest.Split('/').Any(s => s is "." or "..") || VfsPath.Parse(guest) is not { IsSuccess: true } parsedGuest)
            {
                return GreyError.Invalid(ErrorCodes.InvalidPath, $"guest path '{guest}' must be absolute, without '.' or '..' (e.g. /work)");
            }

            grants.Add(new DirectoryGrant(path.Value, parsedGuest.Value.Value, dir.ReadOnly));
        }

        return Result<IReadOnlyList<DirectoryGrant>>.Success(grants);
    }

    private static async Task<Results<Ok<ProcessListResponse>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user, IProcessManager processes, string? state, string? name, int? limit, bool? all, CancellationToken ct)
    {
        ProcessState? parsed = null;
        if (state is not null)
        {
            if (!Enum.TryParse<ProcessState>(state, ignoreCase: true, out var value) || !Enum.IsDefined(value))
            {
                return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, $"unknown state '{state}'");
            }

            parsed = value;
        }

        if (limit is < 1 or > 1000)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "limit must be between 1 and 1000");
        }

        if (all == true && !user.Has(Permissions.ProcessesManage))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "only administrators can list everyone's processes");
        }

        var query = new ProcessQuery(all == true ? null : UserId(user), name, parsed, limit ?? 200);
        var list = await processes.ListAsync(query, ct).ConfigureAwait(false);
        return TypedResults.Ok(new ProcessListResponse(list.Select(ToResponse).ToList()));
    }

    private static async Task<Results<Ok<ProcessResponse>, ProblemHttpResult>> WaitAsync(
        long pid, int? timeoutSeconds, ClaimsPrincipal user, IProcessManager processes, CancellationToken ct)
    {
        if (timeoutSeconds is < 0 or > MaxWaitSeconds)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, $"timeoutSeconds must be between 0 and {MaxWaitSeconds}");
        }

        var info = await VisibleAsync(pid, user, processes, ct).ConfigureAwait(false);
        if (info is null)
        {
            return ProcessNotFound(pid);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds ?? 30));
        try
        {
            var ended = await processes.WaitAsync(pid, timeout.Token).ConfigureAwait(false);
            return ended.IsSuccess ? TypedResults.Ok(ToResponse(ended.Value)) : ended.Error.ToResult();
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var current = await processes.GetAsync(pid, ct).ConfigureAwait(false);
            return TypedResults.Ok(ToResponse(current ?? info));
        }
    }

    private static async Task<IResult> AttachAsync(long pid, HttpContext context, ClaimsPrincipal user, IProcessManager processes, CancellationToken ct)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "attach is a WebSocket endpoint");
        }

        if (await VisibleAsync(pid, user, processes, ct).ConfigureAwait(false) is null)
        {
            return ProcessNotFound(pid);
        }

        var session = processes.Attach(pid);
        if (!session.IsSuccess)
        {
            return session.Error.ToResult();
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        await using var attached = session.Value;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var input = PumpInputAsync(socket, attached, stop.Token);
        try
        {
            await foreach (var chunk in attached.ReadOutputAsync(stop.Token).ConfigureAwait(false))
            {
                var frame = new byte[chunk.Data.Length + 1];
                frame[0] = chunk.Channel == OutputChannel.Stdout ? AttachFrames.Stdout : AttachFrames.Stderr;
                chunk.Data.Span.CopyTo(frame.AsSpan(1));
                await socket.SendAsync(frame, WebSocketMessageType.Binary, true, stop.Token).ConfigureAwait(false);
            }

            var final = await processes.WaitAsync(pid, stop.Token).ConfigureAwait(false);
            if (final.IsSuccess)
            {
                var json = JsonSerializer.SerializeToUtf8Bytes(ToResponse(final.Value), ProtocolJsonContext.Default.ProcessResponse);
                await socket.SendAsync(json, WebSocketMessageType.Text, true, stop.Token).ConfigureAwait(false);
            }

            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "process ended", stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away; the process keeps running.
        }
        finally
        {
            // Let the client answer our close frame: cancelling a pending receive aborts the socket
            // (a TCP reset), which can destroy frames the client has not read yet.
            await Task.WhenAny(input, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await input.ConfigureAwait(false);
        }

        return Results.Empty;
    }

    private static async Task PumpInputAsync(WebSocket socket, IProcessSession session, CancellationToken ct)
    {
        var buffer = new byte[65537];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var message = new MemoryStream();
                WebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer, ct).ConfigureAwait(false);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Write(buffer, 0, received.Count);
                    if (message.Length > 1024 * 1024)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "frames are limited to 1 MiB", ct).ConfigureAwait(false);
                        return;
                    }
                }
                while (!received.EndOfMessage);

                var frame = message.ToArray();
                if (frame.Length == 0)
                {
                    continue;
                }

                if (frame[0] == AttachFrames.StdinEof)
                {
                    session.CloseInput();
                }
                else if (frame[0] == AttachFrames.Stdin && !await session.WriteInputAsync(frame.AsMemory(1), ct).ConfigureAwait(false))
                {
                    session.CloseInput();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }

    private static async Task<ProcessInfo?> VisibleAsync(long pid, ClaimsPrincipal user, IProcessManager processes, CancellationToken ct)
    {
        var info = await processes.GetAsync(pid, ct).ConfigureAwait(false);
        return info is not null && (info.OwnerUserId == UserId(user) || user.Has(Permissions.ProcessesManage)) ? info : null;
    }

    private static string UserId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private static bool IsSha256(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigitLower);

    private static ProblemHttpResult ModuleNotFound(string sha256) =>
        Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.ModuleNotFound, $"no module {sha256} on this node: upload it first");

    private static ProblemHttpResult ProcessNotFound(long pid) =>
        Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.ProcessNotFound, $"no process {pid}");

    private static ModuleResponse ToResponse(WasmModuleInfo module) =>
        new(module.Sha256, module.Size, module.Shape.ToString().ToLowerInvariant(), module.Imports);

    internal static ProcessResponse ToResponse(ProcessInfo p) => new(
        p.Pid,
        p.ParentPid,
        p.OwnerUserId,
        p.AppName,
        p.ModuleSha256,
        p.Shape.ToString().ToLowerInvariant(),
        p.State.ToString().ToLowerInvariant(),
        p.ExitCode,
        p.FaultReason,
        new ProcessLimitsDto(p.Limits.MemoryMiB, p.Limits.CpuSeconds, p.Limits.OutputBytes, p.Limits.Nice),
        p.Capabilities,
        p.StartedAt,
        p.EndedAt,
        Math.Round(p.CpuSeconds, 3),
        p.Syscalls,
        p.SyscallsDenied);
}
