using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Server.Http;

namespace GreyOS.Server.Dav;

/// <summary>LOCK, UNLOCK, the <c>If</c> header and the lock checks of every method that writes.</summary>
internal sealed partial class DavHandler
{
    private const int MaxOwnerLength = 4096;

    /// <summary>Parses the <c>If</c> header once per request: 400 when malformed.</summary>
    private static IResult? ParseIf(DavRequest request)
    {
        var text = request.Http.Headers["If"].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (text.Length > 16 * 1024)
        {
            return DavXml.BadXml("the If header is too long");
        }

        request.If = DavIfHeader.Parse(text, out var error);
        return request.If is null ? Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, $"the If header is malformed: {error}") : null;
    }

    /// <summary>The <c>If</c> header (412 when no list holds), then the locks on <paramref name="path"/> (423 without their tokens).</summary>
    private async Task<IResult?> PreconditionsAsync(DavRequest request, VfsPath path, FileEntry? entry, bool membership, bool subtree, bool checkLocks = true)
    {
        if (request.If is { } header && !await EvaluateIfAsync(request, header, path, entry).ConfigureAwait(false))
        {
            LogRefused(logger, request.Http.Method, StatusCodes.Status412PreconditionFailed, "If header");
            return Problems.Create(StatusCodes.Status412PreconditionFailed, ErrorCodes.EtagMismatch, "no list of the If header holds for the resource's current state (lock tokens, ETags)");
        }

        return checkLocks ? await LockCheckAsync(request, path, membership, subtree).ConfigureAwait(false) : null;
    }

    /// <summary>
    /// The locks a write to <paramref name="path"/> must hold the tokens of: those covering it, a depth-0
    /// lock on its parent when the parent's members change (<paramref name="membership"/>), and locks below it
    /// (<paramref name="subtree"/>). An exclusive lock needs its own token; shared locks need one of theirs;
    /// a token counts only for the principal that took the lock.
    /// </summary>
    private async Task<IResult?> LockCheckAsync(DavRequest request, VfsPath path, bool membership, bool subtree)
    {
        var required = (await locks.FindAsync(path, subtree, request.CancellationToken).ConfigureAwait(false)).ToList();
        if (membership && !path.IsRoot)
        {
            required.AddRange((await locks.FindAsync(path.Parent, false, request.CancellationToken).ConfigureAwait(false)).Where(l => l.Root == path.Parent && !l.Infinite));
        }

        if (required.Count == 0)
        {
            return null;
        }

        var submitted = request.If?.SubmittedTokens.ToHashSet(StringComparer.Ordinal) ?? [];
        bool Held(DavLock l) => submitted.Contains(l.Token) && l.UserId == request.Principal.UserId;
        var missing = required.FirstOrDefault(l => l.Exclusive && !Held(l));
        var shared = required.Where(l => !l.Exclusive).ToList();
        if (missing is null && shared.Count > 0 && !shared.Any(Held))
        {
            missing = shared[0];
        }

        if (missing is null)
        {
            return null;
        }

        LogRefused(logger, request.Http.Method, StatusCodes.Status423Locked, missing.Root.Value);
        return DavXml.Error(StatusCodes.Status423Locked, "lock-token-submitted", DavXml.Href(missing.Root, folder: false));
    }

    /// <summary>True when at least one list of the header holds (RFC 4918 §10.4.3).</summary>
    private async Task<bool> EvaluateIfAsync(DavRequest request, DavIfHeader header, VfsPath path, FileEntry? entry)
    {
        foreach (var list in header.Lists)
        {
            var resource = path;
            var state = entry;
            if (list.Resource is { } tag)
            {
                if (DavEndpoints.PathOfUrl(request.Context, tag) is not { IsSuccess: true } tagged)
                {
                    continue;
                }

                resource = tagged.Value;
                if (resource != path)
                {
                    var stat = await files.StatAsync(request.Principal, resource, request.CancellationToken).ConfigureAwait(false);
                    state = stat.IsSuccess ? stat.Value : null;
                }
            }

            var tokens = list.Conditions.Any(c => c.Token is not null)
                ? (await locks.FindAsync(resource, false, request.CancellationToken).ConfigureAwait(false)).Select(l => l.Token).ToHashSet(StringComparer.Ordinal)
                : [];
            if (list.Conditions.All(c => c.Not != (c.Token is not null ? tokens.Contains(c.Token) : DavIfHeader.SameETag(c.ETag, state?.ETag))))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<IResult> LockAsync(DavRequest request)
    {
        var depth = request.Http.Headers["Depth"].ToString().Trim();
        if (depth is not ("" or "0" or "infinity" or "Infinity"))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "Depth for LOCK is 0 or infinity");
        }

        var timeout = ParseTimeout(request.Http.Headers["Timeout"].ToString());
        var (document, bad) = await DavXml.ReadAsync(request.Context, request.CancellationToken).ConfigureAwait(false);
        if (bad is not null)
        {
            return bad;
        }

        var current = await files.StatAsync(request.Principal, request.Path, request.CancellationToken).ConfigureAwait(false);
        if (!current.IsSuccess && current.Error.Code != ErrorCodes.FileNotFound)
        {
            return current.Error.ToResult();
        }

        var existing = current.IsSuccess ? current.Value : null;
        if (document is null)
        {
            return await RefreshAsync(request, existing, timeout).ConfigureAwait(false);
        }

        var info = document.Root;
        if (info?.Name != DavXml.D + "lockinfo")
        {
            return DavXml.BadXml("a LOCK body is <D:lockinfo xmlns:D=\"DAV:\"> with lockscope and locktype");
        }

        var scope = info.Element(DavXml.D + "lockscope")?.Elements().FirstOrDefault()?.Name;
        var type = info.Element(DavXml.D + "locktype")?.Elements().FirstOrDefault()?.Name;
        if ((scope != DavXml.D + "exclusive" && scope != DavXml.D + "shared") || type != DavXml.D + "write")
        {
            return DavXml.BadXml("lockscope must be exclusive or shared, and locktype write");
        }

        string? owner = null;
        if (info.Element(DavXml.D + "owner") is { } ownerElement)
        {
            owner = DavXml.Serialize(ownerElement);
            if (owner.Length > MaxOwnerLength)
            {
                return DavXml.BadXml($"the lock owner may have at most {MaxOwnerLength} characters");
            }
        }

        var wanted = new DavLockRequest(request.Path, scope == DavXml.D + "exclusive", depth is not "0", owner, timeout);
        if (await PreconditionsAsync(request, request.Path, existing, membership: existing is null, subtree: false, checkLocks: existing is null).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var conflicting = (await locks.FindAsync(request.Path, wanted.Infinite, request.CancellationToken).ConfigureAwait(false)).FirstOrDefault(l => l.Exclusive || wanted.Exclusive);
        if (conflicting is not null)
        {
            return DavXml.Error(StatusCodes.Status423Locked, "no-conflicting-lock", DavXml.Href(conflicting.Root, folder: false));
        }

        if (existing is null)
        {
            // RFC 4918 §9.10.4: locking an unmapped URL creates an empty, locked resource.
            using var empty = new MemoryStream([]);
            var created = await files.WriteAsync(request.Principal, request.Path, empty, new WriteOptions(CreateOnly: true, ExpectedLength: 0), request.CancellationToken).ConfigureAwait(false);
            if (!created.IsSuccess)
            {
                return WriteFailure(created.Error);
            }
        }

        var taken = await locks.LockAsync(request.Principal, wanted, request.CancellationToken).ConfigureAwait(false);
        if (!taken.IsSuccess)
        {
            if (existing is null)
            {
                await files.DeleteAsync(request.Principal, request.Path, recursive: false, null, CancellationToken.None).ConfigureAwait(false);
            }

            return taken.Error.Code == ErrorCodes.Locked
                ? DavXml.Error(StatusCodes.Status423Locked, "no-conflicting-lock")
                : taken.Error.ToResult();
        }

        request.Context.Response.Headers["Lock-Token"] = $"<{taken.Value.Token}>";
        return LockDiscoveryBody(existing is null ? StatusCodes.Status201Created : StatusCodes.Status200OK, [taken.Value]);
    }

    /// <summary>LOCK without a body: refreshes the lock whose token the <c>If</c> header submits.</summary>
    private async Task<IResult> RefreshAsync(DavRequest request, FileEntry? existing, TimeSpan timeout)
    {
        var tokens = request.If?.SubmittedTokens.ToList() ?? [];
        if (tokens.Count == 0)
        {
            return DavXml.BadXml("a LOCK without a body refreshes a lock: send its token in an If header, e.g. If: (<urn:uuid:…>)");
        }

        if (existing is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.FileNotFound, $"no '{request.Path}'");
        }

        var covering = await locks.FindAsync(request.Path, false, request.CancellationToken).ConfigureAwait(false);
        foreach (var token in tokens)
        {
            if (covering.Any(l => l.Token == token))
            {
                var refreshed = await locks.RefreshAsync(request.Principal, token, timeout, request.CancellationToken).ConfigureAwait(false);
                if (refreshed.IsSuccess)
                {
                    return LockDiscoveryBody(StatusCodes.Status200OK, [refreshed.Value]);
                }
            }
        }

        return DavXml.Error(StatusCodes.Status412PreconditionFailed, "lock-token-matches-request-uri");
    }

    private async Task<IResult> UnlockAsync(DavRequest request)
    {
        var header = request.Http.Headers["Lock-Token"].ToString().Trim();
        if (header.Length < 3 || header[0] != '<' || header[^1] != '>')
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "UNLOCK needs a Lock-Token header: <urn:uuid:…>");
        }

        var token = header[1..^1];
        var covering = await locks.FindAsync(request.Path, false, request.CancellationToken).ConfigureAwait(false);
        if (!covering.Any(l => l.Token == token))
        {
            return DavXml.Error(StatusCodes.Status409Conflict, "lock-token-matches-request-uri");
        }

        var removed = await locks.UnlockAsync(request.Principal, token, request.CancellationToken).ConfigureAwait(false);
        return removed.IsSuccess
            ? Status(StatusCodes.Status204NoContent)
            : Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "this lock is someone else's");
    }

    /// <summary>The <c>Timeout</c> header: the first <c>Second-n</c> or <c>Infinite</c>; the store caps it.</summary>
    private static TimeSpan ParseTimeout(string header)
    {
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Equals("Infinite", StringComparison.OrdinalIgnoreCase))
            {
                return TimeSpan.FromSeconds(IDavLockStore.MaxTimeoutSeconds);
            }

            if (part.StartsWith("Second-", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(part.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            {
                return TimeSpan.FromSeconds(Math.Min(seconds, IDavLockStore.MaxTimeoutSeconds));
            }
        }

        return TimeSpan.FromSeconds(IDavLockStore.MaxTimeoutSeconds);
    }

    private IResult LockDiscoveryBody(int status, IReadOnlyList<DavLock> active) => DavXml.Body(status, writer =>
    {
        writer.WriteStartElement("D", "prop", DavXml.Dav);
        WriteLockDiscovery(writer, active);
        writer.WriteEndElement();
    });

    private void WriteLockDiscovery(XmlWriter writer, IReadOnlyList<DavLock> active)
    {
        var now = time.GetUtcNow();
        writer.WriteStartElement("D", "lockdiscovery", DavXml.Dav);
        foreach (var l in active)
        {
            writer.WriteStartElement("D", "activelock", DavXml.Dav);
            writer.WriteStartElement("D", "locktype", DavXml.Dav);
            writer.WriteElementString("D", "write", DavXml.Dav, null);
            writer.WriteEndElement();
            writer.WriteStartElement("D", "lockscope", DavXml.Dav);
            writer.WriteElementString("D", l.Exclusive ? "exclusive" : "shared", DavXml.Dav, null);
            writer.WriteEndElement();
            writer.WriteElementString("D", "depth", DavXml.Dav, l.Infinite ? "infinity" : "0");
            if (l.OwnerXml is not null && DavXml.ParseStored(l.OwnerXml) is { } owner)
            {
                owner.WriteTo(writer);
            }

            var left = l.ExpiresAt - now;
            writer.WriteElementString("D", "timeout", DavXml.Dav, Seconds(left > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Ceiling(left.TotalSeconds)) : TimeSpan.Zero));
            writer.WriteStartElement("D", "locktoken", DavXml.Dav);
            writer.WriteElementString("D", "href", DavXml.Dav, l.Token);
            writer.WriteEndElement();
            writer.WriteStartElement("D", "lockroot", DavXml.Dav);
            writer.WriteElementString("D", "href", DavXml.Dav, DavXml.Href(l.Root, folder: false));
            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        writer.WriteEndElement();
    }

    private static void WriteSupportedLock(XmlWriter writer)
    {
        writer.WriteStartElement("D", "supportedlock", DavXml.Dav);
        foreach (var scope in (string[])["exclusive", "shared"])
        {
            writer.WriteStartElement("D", "lockentry", DavXml.Dav);
            writer.WriteStartElement("D", "lockscope", DavXml.Dav);
            writer.WriteElementString("D", scope, DavXml.Dav, null);
            writer.WriteEndElement();
            writer.WriteStartElement("D", "locktype", DavXml.Dav);
            writer.WriteElementString("D", "write", DavXml.Dav, null);
            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        writer.WriteEndElement();
    }

    private static XName Live(string name) => DavXml.D + name;
}
