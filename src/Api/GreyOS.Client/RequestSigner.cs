using System.Text;
using GreyOS.Protocol.Signatures;

namespace GreyOS.Client;

/// <summary>
/// Signs requests as the node expects (RFC 9421, docs/design/0003-identity.md §4): label
/// <c>greyos</c>, components <c>@method @authority @path @query</c> (+ <c>content-digest</c> with a
/// body), <c>created</c>, a random <c>nonce</c>, <c>keyid</c> = the session id, <c>alg="ed25519"</c>.
/// </summary>
public static class RequestSigner
{
    /// <summary>The signature label.</summary>
    public const string Label = "greyos";

    private static readonly string[] Components = ["@method", "@authority", "@path", "@query"];
    private static readonly string[] ComponentsWithBody = ["@method", "@authority", "@path", "@query", "content-digest"];

    /// <summary>
    /// Adds Content-Digest (with a body), Signature-Input and Signature to <paramref name="request"/>.
    /// A body that already carries a <c>Content-Digest</c> header is not read (the caller hashed it,
    /// e.g. a large upload from a seekable file); otherwise the body is buffered to hash it.
    /// </summary>
    public static async Task SignAsync(HttpRequestMessage request, DeviceCredential credential, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credential);
        if (credential.SessionId is null)
        {
            throw new InvalidOperationException("the device key has no session yet: log in first");
        }

        var hasBody = false;
        if (request.Content?.Headers.Contains(ContentDigest.HeaderName) == true)
        {
            // The caller hashed the body itself (large uploads from a seekable source): do not buffer it.
            hasBody = request.Content.Headers.ContentLength is not 0;
        }
        else if (request.Content is { } content)
        {
            var body = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            hasBody = body.Length > 0;
            if (hasBody)
            {
                content.Headers.Remove(ContentDigest.HeaderName);
                content.Headers.TryAddWithoutValidation(ContentDigest.HeaderName, ContentDigest.Create(body));
            }
        }

        var uri = request.RequestUri ?? throw new InvalidOperationException("the request has no URI");
        var scheme = uri.Scheme is "ws" ? "http" : uri.Scheme is "wss" ? "https" : uri.Scheme;
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v)));
        if (!SignatureRequest.TryCreate(request.Method.Method, scheme, uri.Authority, uri.PathAndQuery, headers, out var signed, out var reason))
        {
            throw new InvalidOperationException($"cannot sign the request: {reason}");
        }

        var parameters = new SignatureParameters(
            hasBody ? ComponentsWithBody : Components,
            (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds(),
            DeviceCredential.NewNonce(),
            credential.SessionId,
            "ed25519");
        var signatureBase = HttpSignatures.BuildSignatureBase(signed, parameters);
        var signature = credential.Sign(Encoding.UTF8.GetBytes(signatureBase));
        request.Headers.Remove(HttpSignatures.SignatureInputHeaderName);
        request.Headers.Remove(HttpSignatures.SignatureHeaderName);
        request.Headers.TryAddWithoutValidation(HttpSignatures.SignatureInputHeaderName, HttpSignatures.FormatSignatureInput(Label, parameters));
        request.Headers.TryAddWithoutValidation(HttpSignatures.SignatureHeaderName, HttpSignatures.FormatSignature(Label, signature));
    }
}

/// <summary>An <see cref="HttpMessageHandler"/> that signs every request it sends with a device credential.</summary>
public sealed class SigningHandler(DeviceCredential credential, HttpMessageHandler? inner = null) : DelegatingHandler(inner ?? new SocketsHttpHandler())
{
    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await RequestSigner.SignAsync(request, credential, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
