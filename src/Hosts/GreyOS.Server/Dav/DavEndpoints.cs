using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Identity;
using GreyOS.Server.Http;
using Microsoft.AspNetCore.Http.Features;

namespace GreyOS.Server.Dav;

/// <summary>
/// WebDAV at <c>/dav</c> (RFC 4918 class 1 and 2; docs/webdav.md). Outside <c>/api/v1</c>: its own
/// authentication (HTTP Basic with an app password or the account password; a signed or cookie session
/// for GET/HEAD), no CSRF token (Basic credentials are not sent by browsers cross-site without a prompt,
/// and cookie sessions may only read), and every operation through <see cref="IFileSystem"/> for the caller.
/// </summary>
internal static class DavEndpoints
{
    public const string Prefix = "/dav";

    public const string Realm = "Basic realm=\"GreyOS\", charset=\"UTF-8\"";

    public static readonly string[] Methods = ["OPTIONS", "GET", "HEAD", "PUT", "DELETE", "MKCOL", "COPY", "MOVE", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK"];

    /// <summary>Maps <c>/dav</c> and everything below it.</summary>
    public static IEndpointRouteBuilder MapDav(this IEndpointRouteBuilder app)
    {
        // Created on the first request, not while mapping: the node's start-up steps (data folder,
        // migrations) must run before the file system is composed.
        var services = app.ServiceProvider;
        var handler = new Lazy<DavHandler>(() => ActivatorUtilities.CreateInstance<DavHandler>(services));
        RequestDelegate run = context => handler.Value.HandleAsync(context);
        app.MapMethods(Prefix, Methods, run).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods(Prefix + "/{**path}", Methods, run).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The VFS path of a request, from the raw request target: percent-escapes decoded as UTF-8 except
    /// <c>%2F</c> (kept, so <see cref="VfsPath"/> refuses it), <c>.</c>/<c>..</c> refused rather than resolved.
    /// </summary>
    public static Result<VfsPath> PathOf(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            raw = context.Request.PathBase + context.Request.Path;
        }

        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return PathOfTarget(query < 0 ? raw : raw[..query]);
    }

    /// <summary>The VFS path of a <c>/dav/…</c> target path (raw, still percent-encoded).</summary>
    public static Result<VfsPath> PathOfTarget(string target)
    {
        if (!target.StartsWith(Prefix, StringComparison.Ordinal) || (target.Length > Prefix.Length && target[Prefix.Length] != '/'))
        {
            return GreyError.Invalid(ErrorCodes.InvalidPath, $"the URL must start with {Prefix}/");
        }

        var decoded = Decode(target[Prefix.Length..]);
        return decoded is null
            ? GreyError.Invalid(ErrorCodes.InvalidPath, "the URL has a malformed percent-escape or is not valid UTF-8")
            : VfsPath.Parse(decoded.Length == 0 ? "/" : decoded);
    }

    /// <summary>
    /// The VFS path a <c>Destination</c> (or <c>If</c> resource tag) names: an absolute URL on this
    /// node's authority, or an absolute path, under <c>/dav</c>. Null when it points elsewhere.
    /// </summary>
    public static Result<VfsPath>? PathOfUrl(HttpContext context, string url)
    {
        var target = url;
        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var authorityStart = url.IndexOf("//", StringComparison.Ordinal) + 2;
            var pathStart = url.IndexOf('/', authorityStart);
            var authority = pathStart < 0 ? url[authorityStart..] : url[authorityStart..pathStart];
            if (!string.Equals(authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            target = pathStart < 0 ? "/" : url[pathStart..];
        }

        var cut = target.IndexOfAny(['?', '#']);
        target = cut < 0 ? target : target[..cut];
        if (!target.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        return PathOfTarget(target);
    }

    /// <summary>
    /// The caller: HTTP Basic (app password or account password); or, for GET and HEAD only, a session the
    /// node's own authentication accepted (signature or cookie). Null after writing 401 (or 429).
    /// </summary>
    public static async Task<FilePrincipal?> AuthenticateAsync(HttpContext context, IBasicAuthenticator basic)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (BasicCredentials.IsBasic(header))
        {
            // Failed attempts are limited per address (the per-name lockout alone lets a spray across many names through).
            var limiter = context.RequestServices.GetRequiredService<FailedCredentialLimiter>();
            if (limiter.Refusal(context) is { } refused)
            {
                await TooManyAsync(context, refused).ConfigureAwait(false);
                return null;
            }

            if (!BasicCredentials.TryParse(header, out var name, out var secret) || name.Length == 0)
            {
                limiter.Failed(context);
                await ChallengeAsync(context, "the Authorization header is not valid Basic (base64 of user:password in UTF-8)").ConfigureAwait(false);
                return null;
            }

            var result = await basic.AuthenticateAsync(name, secret, GreyOSAuthentication.ClientOf(context, "dav"), context.RequestAborted).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                var user = result.Value;
                return new FilePrincipal(user.UserId, user.UserName, Permissions.Grants(user.Permissions, Permissions.FsAdmin));
            }

            if (result.Error.Kind == ErrorKind.TooManyRequests)
            {
                await TooManyAsync(context, result.Error).ConfigureAwait(false);
                return null;
            }

            limiter.Failed(context);
            await ChallengeAsync(context, "the user name or password is wrong (use your password or an app password: greyos app-password create LABEL)").ConfigureAwait(false);
            return null;
        }

        if ((HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)) && context.User.Identity?.IsAuthenticated == true)
        {
            var user = context.User;
            return new FilePrincipal(user.UserId(), user.Identity?.Name ?? string.Empty, user.Has(Permissions.FsAdmin));
        }

        await ChallengeAsync(context, "WebDAV needs HTTP Basic credentials: your user name and your password or an app password").ConfigureAwait(false);
        return null;
    }

    private static async Task TooManyAsync(HttpContext context, GreyError error)
    {
        context.Response.Headers.WWWAuthenticate = Realm;
        await error.ToResult(context).ExecuteAsync(context).ConfigureAwait(false);
    }

    private static async Task ChallengeAsync(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = Realm;
        await Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthenticated, detail).ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary>Percent-decodes as UTF-8, keeping <c>%2F</c> encoded; null for a malformed escape or invalid UTF-8.</summary>
    private static string? Decode(string text)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !Uri.IsHexDigit(text[i + 1]) || !Uri.IsHexDigit(text[i + 2]))
                {
                    return null;
                }

                var value = (byte)((Uri.FromHex(text[i + 1]) << 4) | Uri.FromHex(text[i + 2]));
                if (value == (byte)'/')
                {
                    bytes.AddRange("%2F"u8.ToArray());
                }
                else
                {
                    bytes.Add(value);
                }

                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                var pair = char.IsHighSurrogate(c) && i + 1 < text.Length;
                bytes.AddRange(Encoding.UTF8.GetBytes(text.Substring(i, pair ? 2 : 1)));
                if (pair)
                {
                    i++;
                }
            }
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
