using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GreyOS.Protocol.Signatures;

/// <summary>
/// The signature parameters of one HTTP message signature (RFC 9421 §2.3): the ordered covered
/// components and the <c>created</c>, <c>expires</c>, <c>nonce</c>, <c>keyid</c>, <c>alg</c> and
/// <c>tag</c> parameters. Serialized as an RFC 8941 inner list, e.g.
/// <c>("@method" "@authority" "@path");created=1618884473;keyid="test-key-ed25519"</c>.
/// </summary>
/// <param name="Components">Covered component identifiers in order: lowercase header names or derived components (<c>@method</c>, …).</param>
/// <param name="Created">Creation time, seconds since the Unix epoch.</param>
/// <param name="Nonce">The <c>nonce</c> parameter, or null for none.</param>
/// <param name="KeyId">The <c>keyid</c> parameter, or null for none.</param>
/// <param name="Alg">The <c>alg</c> parameter, or null for none.</param>
/// <param name="Tag">The <c>tag</c> parameter, or null for none.</param>
/// <param name="Expires">Expiry time, seconds since the Unix epoch, or null for none.</param>
/// <remarks>
/// Built in code, the parameters serialize in the order created, expires, nonce, keyid, alg, tag
/// (absent ones left out). Parsed from a <c>Signature-Input</c> header, they keep the order and the
/// exact text they were received in, so the verifier's signature base uses the signer's bytes.
/// Two instances are equal when their canonical serializations (same parameter order, received
/// whitespace and leading zeros ignored) are the same.
/// </remarks>
public sealed record SignatureParameters(
    IReadOnlyList<string> Components,
    long Created,
    string? Nonce,
    string? KeyId,
    string? Alg,
    string? Tag = null,
    long? Expires = null)
{
    private static readonly string[] DefaultOrder = ["created", "expires", "nonce", "keyid", "alg", "tag"];

    private string[]? _receivedOrder;
    private string? _receivedText;
    private string? _receivedCanonical;

    /// <summary>
    /// The RFC 8941 inner list of these parameters (the value of <c>@signature-params</c> and of the
    /// <c>Signature-Input</c> member). Throws <see cref="InvalidOperationException"/> when a value
    /// cannot be serialized (see <see cref="TrySerialize"/>).
    /// </summary>
    public string Serialize() =>
        TrySerialize(out var text, out var reason) ? text : throw new InvalidOperationException(reason);

    /// <summary>
    /// Serializes these parameters; false with a reason when a component identifier is not supported,
    /// a time is negative or longer than 15 digits, or a string has characters outside printable ASCII.
    /// </summary>
    /// <param name="text">The serialized inner list.</param>
    /// <param name="reason">Why it cannot be serialized.</param>
    public bool TrySerialize([NotNullWhen(true)] out string? text, [NotNullWhen(false)] out string? reason)
    {
        if (!TryFormat(_receivedOrder ?? DefaultOrder, out text, out reason))
        {
            return false;
        }

        // Unchanged since it was parsed (a `with` copy may have changed values): keep the received bytes.
        if (_receivedText is not null && string.Equals(text, _receivedCanonical, StringComparison.Ordinal))
        {
            text = _receivedText;
        }

        return true;
    }

    /// <inheritdoc/>
    public bool Equals(SignatureParameters? other)
    {
        if (other is null)
        {
            return false;
        }

        var mine = CanonicalText();
        return mine is not null ? string.Equals(mine, other.CanonicalText(), StringComparison.Ordinal) : ReferenceEquals(this, other);
    }

    /// <inheritdoc/>
    public override int GetHashCode() => CanonicalText() is { } text ? StringComparer.Ordinal.GetHashCode(text) : Created.GetHashCode();

    internal static SignatureParameters FromReceived(
        List<string> components, long created, string? nonce, string? keyId, string? alg, string? tag, long? expires,
        string[] order, string receivedText)
    {
        var parameters = new SignatureParameters(components, created, nonce, keyId, alg, tag, expires)
        {
            _receivedOrder = order,
            _receivedText = receivedText,
        };
        parameters._receivedCanonical = parameters.TryFormat(order, out var canonical, out _) ? canonical : null;
        return parameters;
    }

    /// <summary>The serialization without received whitespace or leading zeros; null when it cannot be serialized.</summary>
    private string? CanonicalText() => TryFormat(_receivedOrder ?? DefaultOrder, out var text, out _) ? text : null;

    private bool TryFormat(string[] order, [NotNullWhen(true)] out string? text, [NotNullWhen(false)] out string? reason)
    {
        text = null;
        if (Components is null)
        {
            reason = "the covered components are missing";
            return false;
        }

        var builder = new StringBuilder("(");
        for (var i = 0; i < Components.Count; i++)
        {
            var component = Components[i];
            if (!SignatureComponents.IsSupported(component, out reason))
            {
                return false;
            }

            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append('"').Append(component).Append('"');
        }

        builder.Append(')');
        foreach (var name in order)
        {
            if (!AppendParameter(builder, name, out reason))
            {
                return false;
            }
        }

        foreach (var name in DefaultOrder)
        {
            if (Array.IndexOf(order, name) < 0 && !AppendParameter(builder, name, out reason))
            {
                return false;
            }
        }

        text = builder.ToString();
        reason = null;
        return true;
    }

    private bool AppendParameter(StringBuilder builder, string name, [NotNullWhen(false)] out string? reason)
    {
        reason = null;
        switch (name)
        {
            case "created":
                return AppendInteger(builder, name, Created, out reason);
            case "expires":
                return Expires is not { } expires || AppendInteger(builder, name, expires, out reason);
            case "nonce":
                return AppendString(builder, name, Nonce, out reason);
            case "keyid":
                return AppendString(builder, name, KeyId, out reason);
            case "alg":
                return AppendString(builder, name, Alg, out reason);
            case "tag":
                return AppendString(builder, name, Tag, out reason);
            default:
                reason = $"unknown signature parameter '{name}'";
                return false;
        }
    }

    private static bool AppendInteger(StringBuilder builder, string name, long value, [NotNullWhen(false)] out string? reason)
    {
        if (value is < 0 or > StructuredFieldReader.MaxInteger)
        {
            reason = $"the {name} parameter is not a non-negative integer of at most 15 digits";
            return false;
        }

        builder.Append(';').Append(name).Append('=').Append(value.ToString(CultureInfo.InvariantCulture));
        reason = null;
        return true;
    }

    private static bool AppendString(StringBuilder builder, string name, string? value, [NotNullWhen(false)] out string? reason)
    {
        reason = null;
        if (value is null)
        {
            return true;
        }

        builder.Append(';').Append(name).Append("=\"");
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                reason = $"the {name} parameter has a character outside printable ASCII";
                return false;
            }

            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        builder.Append('"');
        return true;
    }
}

/// <summary>
/// The parts of an HTTP request that RFC 9421 signatures cover, normalized the same way on the
/// client and the node: method (as sent), scheme and authority in lowercase with the scheme's
/// default port left out, the path and query exactly as in the request target (no decoding), and
/// header fields looked up case-insensitively, each value trimmed and repeated fields joined with
/// <c>", "</c> (RFC 9421 §2.1).
/// </summary>
public sealed class SignatureRequest
{
    private readonly Dictionary<string, string> _headers;
    private readonly string? _query;

    private SignatureRequest(string method, string scheme, string authority, string path, string? query, Dictionary<string, string> headers)
    {
        Method = method;
        Scheme = scheme;
        Authority = authority;
        Path = path;
        _query = query;
        _headers = headers;
    }

    /// <summary>The request method as sent, e.g. <c>POST</c> (<c>@method</c>).</summary>
    public string Method { get; }

    /// <summary>The lowercase URI scheme, e.g. <c>https</c> (<c>@scheme</c>).</summary>
    public string Scheme { get; }

    /// <summary>Lowercase <c>host[:port]</c>, the default port of the scheme left out (<c>@authority</c>).</summary>
    public string Authority { get; }

    /// <summary>The absolute path of the request target, never empty (<c>@path</c>).</summary>
    public string Path { get; }

    /// <summary>The query with its leading <c>?</c>; just <c>?</c> when the request has none (<c>@query</c>).</summary>
    public string Query => "?" + _query;

    /// <summary>The origin-form request target: the path, then the query if the request has one (<c>@request-target</c>).</summary>
    public string RequestTarget => _query is null ? Path : Path + "?" + _query;

    /// <summary>The absolute target URI, <c>scheme://authority/path?query</c> (<c>@target-uri</c>).</summary>
    public string TargetUri => Scheme + "://" + Authority + RequestTarget;

    /// <summary>
    /// Describes a request; false with a reason when the method is not a token, the scheme or
    /// authority are malformed, or the request target is not origin-form (<c>/path?query</c>).
    /// </summary>
    /// <param name="method">The request method as sent.</param>
    /// <param name="scheme">The URI scheme (<c>http</c>, <c>https</c>).</param>
    /// <param name="authority">The authority: <c>host</c>, <c>host:port</c>, <c>[v6]:port</c>.</param>
    /// <param name="requestTarget">The request target as sent on the wire, e.g. <c>/foo?param=Value</c>.</param>
    /// <param name="headers">Header fields as name/value pairs; a name may repeat.</param>
    /// <param name="request">The request.</param>
    /// <param name="reason">Why the parts are refused.</param>
    public static bool TryCreate(
        string? method,
        string? scheme,
        string? authority,
        string? requestTarget,
        IEnumerable<KeyValuePair<string, string>>? headers,
        [NotNullWhen(true)] out SignatureRequest? request,
        [NotNullWhen(false)] out string? reason)
    {
        request = null;
        if (string.IsNullOrEmpty(method) || !IsToken(method))
        {
            reason = "the method is not an HTTP token";
            return false;
        }

        if (!TryNormalizeScheme(scheme, out var normalizedScheme))
        {
            reason = "the scheme is malformed";
            return false;
        }

        if (!TryNormalizeAuthority(normalizedScheme, authority, out var normalizedAuthority))
        {
            reason = "the authority is malformed";
            return false;
        }

        if (string.IsNullOrEmpty(requestTarget) || requestTarget[0] != '/' || !IsVisibleAscii(requestTarget) || requestTarget.Contains('#', StringComparison.Ordinal))
        {
            reason = "the request target is not an origin-form path and query";
            return false;
        }

        var mark = requestTarget.IndexOf('?', StringComparison.Ordinal);
        var path = mark < 0 ? requestTarget : requestTarget[..mark];
        var query = mark < 0 ? null : requestTarget[(mark + 1)..];

        var lists = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers ?? [])
        {
            if (string.IsNullOrEmpty(name) || !IsToken(name))
            {
                reason = "a header name is not an HTTP token";
                return false;
            }

            if (!lists.TryGetValue(name, out var values))
            {
                values = [];
                lists.Add(name, values);
            }

            values.Add((value ?? string.Empty).AsSpan().Trim(" \t").ToString());
        }

        var combined = new Dictionary<string, string>(lists.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in lists)
        {
            combined.Add(name, string.Join(", ", values));
        }

        request = new SignatureRequest(method, normalizedScheme, normalizedAuthority, path, query, combined);
        reason = null;
        return true;
    }

    /// <summary>
    /// Describes a request to an absolute URI as an HTTP client sends it (request target =
    /// <see cref="Uri.PathAndQuery"/>, host in its IDN form). Throws <see cref="ArgumentException"/>
    /// when the URI is relative or a part is refused by <see cref="TryCreate"/>.
    /// </summary>
    /// <param name="method">The request method.</param>
    /// <param name="uri">The absolute request URI.</param>
    /// <param name="headers">Header fields as name/value pairs; a name may repeat.</param>
    public static SignatureRequest FromUri(string method, Uri uri, IEnumerable<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            throw new ArgumentException("The request URI must be absolute.", nameof(uri));
        }

        var host = uri.IdnHost;
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = "[" + host + "]";
        }

        var authority = uri.IsDefaultPort ? host : host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        return TryCreate(method, uri.Scheme, authority, uri.PathAndQuery, headers, out var request, out var reason)
            ? request
            : throw new ArgumentException(reason, nameof(uri));
    }

    /// <summary>The combined value of a header field (case-insensitive name), or false when it is absent.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The trimmed values joined with <c>", "</c>.</param>
    public bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => _headers.TryGetValue(name, out value);

    internal static bool IsToken(string text)
    {
        foreach (var c in text)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    internal static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private static bool IsVisibleAscii(string text)
    {
        foreach (var c in text)
        {
            if (c is <= ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryNormalizeScheme(string? scheme, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (string.IsNullOrEmpty(scheme) || !char.IsAsciiLetter(scheme[0]))
        {
            return false;
        }

        foreach (var c in scheme)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        normalized = scheme.ToLowerInvariant();
        return true;
    }

    private static bool TryNormalizeAuthority(string scheme, string? authority, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (string.IsNullOrEmpty(authority))
        {
            return false;
        }

        foreach (var c in authority)
        {
            // reg-name, IP-literal and port characters of RFC 3986; no userinfo ('@').
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '[' or ']' or '%'))
            {
                return false;
            }
        }

        var text = authority.ToLowerInvariant();
        string host;
        string? port;
        if (text[0] == '[')
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 2 || text.IndexOf('[', 1) >= 0 || text.IndexOf(']', close + 1) >= 0)
            {
                return false;
            }

            host = text[..(close + 1)];
            var rest = text[(close + 1)..];
            if (rest.Length > 0 && rest[0] != ':')
            {
                return false;
            }

            port = rest.Length == 0 ? null : rest[1..];
        }
        else
        {
            if (text.Contains('[', StringComparison.Ordinal) || text.Contains(']', StringComparison.Ordinal))
            {
                return false;
            }

            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && text.IndexOf(':', colon + 1) >= 0)
            {
                return false;
            }

            host = colon < 0 ? text : text[..colon];
            port = colon < 0 ? null : text[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            return false;
        }

        if (string.IsNullOrEmpty(port))
        {
            normalized = host;
            return true;
        }

        if (port.Length > 5 || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 65535)
        {
            return false;
        }

        var isDefault = (scheme == "http" && number == 80) || (scheme == "https" && number == 443);
        normalized = isDefault ? host : host + ":" + number.ToString(CultureInfo.InvariantCulture);
        return true;
    }
}

/// <summary>
/// HTTP Message Signatures (RFC 9421), the subset GreyOS uses: the signature base over the derived
/// components <c>@method @target-uri @authority @scheme @request-target @path @query</c> and plain
/// header fields, and strict parsing and formatting of the <c>Signature-Input</c> and
/// <c>Signature</c> dictionaries (RFC 8941). No cryptography here: the signer signs and the verifier
/// verifies the UTF-8 (ASCII) bytes of the signature base.
/// </summary>
public static class HttpSignatures
{
    /// <summary>The <c>Signature-Input</c> header field name.</summary>
    public const string SignatureInputHeaderName = "Signature-Input";

    /// <summary>The <c>Signature</c> header field name.</summary>
    public const string SignatureHeaderName = "Signature";

    /// <summary>The longest <c>Signature-Input</c>, <c>Signature</c> or <c>Content-Digest</c> value accepted, in characters.</summary>
    public const int MaxHeaderLength = 8 * 1024;

    /// <summary>The most dictionary members (signature labels) accepted in one header.</summary>
    public const int MaxLabels = 8;

    /// <summary>The most covered components accepted in one signature.</summary>
    public const int MaxComponents = 32;

    /// <summary>
    /// The signature base (RFC 9421 §2.5): one line <c>"name": value</c> per covered component, then
    /// <c>"@signature-params": </c> and the serialized parameters, lines joined by LF without a
    /// trailing newline. False with a reason when a component is unsupported, covered twice or missing
    /// from the request, or a value contains characters outside printable ASCII and HTAB.
    /// </summary>
    /// <param name="request">The request being signed or verified.</param>
    /// <param name="parameters">The signature parameters.</param>
    /// <param name="signatureBase">The signature base; sign or verify its UTF-8 bytes.</param>
    /// <param name="reason">Why no base can be built.</param>
    public static bool TryBuildSignatureBase(
        SignatureRequest request,
        SignatureParameters parameters,
        [NotNullWhen(true)] out string? signatureBase,
        [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parameters);
        signatureBase = null;
        if (!parameters.TrySerialize(out var serialized, out reason))
        {
            return false;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var builder = new StringBuilder();
        foreach (var component in parameters.Components)
        {
            if (!seen.Add(component))
            {
                reason = $"the component \"{component}\" is covered twice";
                return false;
            }

            if (!TryGetComponentValue(request, component, out var value, out reason))
            {
                return false;
            }

            foreach (var c in value)
            {
                if (c is not '\t' and (< ' ' or > '~'))
                {
                    reason = $"the value of \"{component}\" has a character outside printable ASCII";
                    return false;
                }
            }

            builder.Append('"').Append(component).Append("\": ").Append(value).Append('\n');
        }

        builder.Append("\"@signature-params\": ").Append(serialized);
        signatureBase = builder.ToString();
        return true;
    }

    /// <summary>
    /// The signature base as <see cref="TryBuildSignatureBase"/> builds it; throws
    /// <see cref="ArgumentException"/> with the reason when none can be built (a signer's bug).
    /// </summary>
    /// <param name="request">The request being signed.</param>
    /// <param name="parameters">The signature parameters.</param>
    public static string BuildSignatureBase(SignatureRequest request, SignatureParameters parameters) =>
        TryBuildSignatureBase(request, parameters, out var signatureBase, out var reason)
            ? signatureBase
            : throw new ArgumentException(reason, nameof(parameters));

    /// <summary>The <c>Signature-Input</c> value <c>label=(…);created=…</c> for one signature.</summary>
    /// <param name="label">The signature label, an RFC 8941 key such as <c>greyos</c>.</param>
    /// <param name="parameters">The signature parameters.</param>
    public static string FormatSignatureInput(string label, SignatureParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ThrowIfNotKey(label);
        return label + "=" + parameters.Serialize();
    }

    /// <summary>The <c>Signature</c> value <c>label=:base64:</c> for one signature.</summary>
    /// <param name="label">The signature label, an RFC 8941 key such as <c>greyos</c>.</param>
    /// <param name="signature">The signature bytes.</param>
    public static string FormatSignature(string label, ReadOnlySpan<byte> signature)
    {
        ThrowIfNotKey(label);
        return label + "=:" + Convert.ToBase64String(signature) + ":";
    }

    /// <summary>
    /// Parses a <c>Signature-Input</c> value (an RFC 8941 dictionary of inner lists of strings with
    /// parameters). Strict: false with a reason for any syntax error, a value over
    /// <see cref="MaxHeaderLength"/>, more than <see cref="MaxLabels"/> labels or
    /// <see cref="MaxComponents"/> components, a repeated label or parameter, a component with
    /// parameters or outside the supported set, an unknown parameter, a missing or non-integer
    /// <c>created</c>, a non-integer <c>expires</c> or a non-string <c>nonce keyid alg tag</c>.
    /// Repeated header lines must be joined with <c>", "</c> before parsing. Never throws.
    /// </summary>
    /// <param name="value">The header value.</param>
    /// <param name="signatures">Label → parameters, each keeping its received text.</param>
    /// <param name="reason">Why the value is refused.</param>
    public static bool TryParseSignatureInput(
        string? value,
        [NotNullWhen(true)] out IReadOnlyDictionary<string, SignatureParameters>? signatures,
        [NotNullWhen(false)] out string? reason)
    {
        signatures = null;
        if (!StructuredFieldReader.TryOpen(value, out var reader, out reason))
        {
            return false;
        }

        var result = new Dictionary<string, SignatureParameters>(StringComparer.Ordinal);
        while (true)
        {
            if (!reader.TryReadMemberKey(result.Count, out var label, out reason))
            {
                return false;
            }

            if (result.ContainsKey(label))
            {
                reason = $"the label '{label}' appears twice";
                return false;
            }

            if (!reader.TryReadSignatureParameters(out var parameters, out reason))
            {
                reason = $"signature '{label}': {reason}";
                return false;
            }

            result.Add(label, parameters);
            if (!reader.TryReadMemberSeparator(out var more, out reason))
            {
                return false;
            }

            if (!more)
            {
                break;
            }
        }

        signatures = result;
        return true;
    }

    /// <summary>
    /// Parses a <c>Signature</c> value (an RFC 8941 dictionary of byte sequences without parameters).
    /// Strict like <see cref="TryParseSignatureInput"/>; an empty or unpadded byte sequence is refused.
    /// Never throws.
    /// </summary>
    /// <param name="value">The header value.</param>
    /// <param name="signatures">Label → signature bytes.</param>
    /// <param name="reason">Why the value is refused.</param>
    public static bool TryParseSignature(
        string? value,
        [NotNullWhen(true)] out IReadOnlyDictionary<string, byte[]>? signatures,
        [NotNullWhen(false)] out string? reason)
    {
        signatures = null;
        if (!StructuredFieldReader.TryReadByteSequenceDictionary(value, out var result, out reason))
        {
            return false;
        }

        signatures = result;
        return true;
    }

    private static bool TryGetComponentValue(SignatureRequest request, string component, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? reason)
    {
        reason = null;
        value = component switch
        {
            "@method" => request.Method,
            "@target-uri" => request.TargetUri,
            "@authority" => request.Authority,
            "@scheme" => request.Scheme,
            "@request-target" => request.RequestTarget,
            "@path" => request.Path,
            "@query" => request.Query,
            _ => null,
        };
        if (value is not null)
        {
            return true;
        }

        if (component.StartsWith('@') || !request.TryGetHeader(component, out value))
        {
            reason = component.StartsWith('@')
                ? $"the derived component \"{component}\" is not supported"
                : $"the covered header \"{component}\" is missing from the request";
            return false;
        }

        return true;
    }

    private static void ThrowIfNotKey(string label)
    {
        if (!StructuredFieldReader.IsKey(label))
        {
            throw new ArgumentException("A signature label is an RFC 8941 key: lowercase letters, digits, '_', '-', '.', '*'.", nameof(label));
        }
    }
}

/// <summary>
/// Content-Digest (RFC 9530): <c>sha-256=:base64:</c> over the content bytes of a message. Only
/// <c>sha-256</c> and <c>sha-512</c> are recognized; other algorithms are ignored.
/// </summary>
public static class ContentDigest
{
    /// <summary>The <c>Content-Digest</c> header field name.</summary>
    public const string HeaderName = "Content-Digest";

    /// <summary>The <c>Content-Digest</c> value <c>sha-256=:base64:</c> for the given content.</summary>
    /// <param name="content">The message content (body) bytes.</param>
    public static string Create(ReadOnlySpan<byte> content) => "sha-256=:" + Convert.ToBase64String(SHA256.HashData(content)) + ":";

    /// <summary>
    /// Parses a <c>Content-Digest</c> value (an RFC 8941 dictionary of byte sequences) into
    /// algorithm → digest bytes, every algorithm included. Strict; never throws.
    /// </summary>
    /// <param name="value">The header value.</param>
    /// <param name="digests">Algorithm → digest bytes.</param>
    /// <param name="reason">Why the value is refused.</param>
    public static bool TryParse(
        string? value,
        [NotNullWhen(true)] out IReadOnlyDictionary<string, byte[]>? digests,
        [NotNullWhen(false)] out string? reason)
    {
        digests = null;
        if (!StructuredFieldReader.TryReadByteSequenceDictionary(value, out var result, out reason))
        {
            return false;
        }

        digests = result;
        return true;
    }

    /// <summary>
    /// True when the value parses, has at least one recognized algorithm (<c>sha-256</c>,
    /// <c>sha-512</c>), and every recognized digest equals the hash of the content (compared in
    /// constant time). Unknown algorithms are ignored. Never throws.
    /// </summary>
    /// <param name="value">The <c>Content-Digest</c> header value.</param>
    /// <param name="content">The received content bytes.</param>
    /// <param name="reason">Why the digest does not verify.</param>
    public static bool Verify(string? value, ReadOnlySpan<byte> content, [NotNullWhen(false)] out string? reason)
    {
        if (!TryParse(value, out var digests, out reason))
        {
            return false;
        }

        var recognized = 0;
        foreach (var (algorithm, digest) in digests)
        {
            byte[] actual;
            switch (algorithm)
            {
                case "sha-256":
                    actual = SHA256.HashData(content);
                    break;
                case "sha-512":
                    actual = SHA512.HashData(content);
                    break;
                default:
                    continue;
            }

            recognized++;
            if (!CryptographicOperations.FixedTimeEquals(actual, digest))
            {
                reason = $"the {algorithm} digest does not match the content";
                return false;
            }
        }

        if (recognized == 0)
        {
            reason = "no recognized digest algorithm (sha-256, sha-512)";
            return false;
        }

        reason = null;
        return true;
    }
}

/// <summary>The covered component identifiers this implementation supports.</summary>
internal static class SignatureComponents
{
    private static readonly HashSet<string> Derived =
        ["@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path", "@query"];

    /// <summary>True for a supported derived component or a lowercase header field name.</summary>
    public static bool IsSupported(string? component, [NotNullWhen(false)] out string? reason)
    {
        reason = null;
        if (string.IsNullOrEmpty(component))
        {
            reason = "a covered component is empty";
            return false;
        }

        if (component[0] == '@')
        {
            if (Derived.Contains(component))
            {
                return true;
            }

            reason = $"the derived component \"{component}\" is not supported";
            return false;
        }

        foreach (var c in component)
        {
            if (char.IsAsciiLetterUpper(c) || !SignatureRequest.IsTokenChar(c))
            {
                reason = $"the component \"{component}\" is not a lowercase header field name";
                return false;
            }
        }

        return true;
    }
}

/// <summary>A strict reader of the RFC 8941 structures used by signatures and digests.</summary>
internal struct StructuredFieldReader
{
    public const long MaxInteger = 999_999_999_999_999;

    private readonly string _text;
    private readonly int _end;
    private int _position;

    private StructuredFieldReader(string text, int start, int end)
    {
        _text = text;
        _position = start;
        _end = end;
    }

    public static bool IsKey(string? text)
    {
        if (string.IsNullOrEmpty(text) || !(char.IsAsciiLetterLower(text[0]) || text[0] == '*'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsKeyChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Opens a header value: checks its length and trims the surrounding whitespace (OWS).</summary>
    public static bool TryOpen(string? value, out StructuredFieldReader reader, [NotNullWhen(false)] out string? reason)
    {
        reader = default;
        if (value is null)
        {
            reason = "the header is missing";
            return false;
        }

        if (value.Length > HttpSignatures.MaxHeaderLength)
        {
            reason = $"the header is longer than {HttpSignatures.MaxHeaderLength} characters";
            return false;
        }

        var start = 0;
        var end = value.Length;
        while (start < end && value[start] is ' ' or '\t')
        {
            start++;
        }

        while (end > start && value[end - 1] is ' ' or '\t')
        {
            end--;
        }

        if (start == end)
        {
            reason = "the header is empty";
            return false;
        }

        reader = new StructuredFieldReader(value, start, end);
        reason = null;
        return true;
    }

    /// <summary>Reads a dictionary of byte sequences without parameters (Signature, Content-Digest).</summary>
    public static bool TryReadByteSequenceDictionary(string? value, [NotNullWhen(true)] out Dictionary<string, byte[]>? result, [NotNullWhen(false)] out string? reason)
    {
        result = null;
        if (!TryOpen(value, out var reader, out reason))
        {
            return false;
        }

        var members = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (true)
        {
            if (!reader.TryReadMemberKey(members.Count, out var key, out reason))
            {
                return false;
            }

            if (members.ContainsKey(key))
            {
                reason = $"the key '{key}' appears twice";
                return false;
            }

            if (!reader.TryReadByteSequence(out var bytes, out reason))
            {
                reason = $"'{key}': {reason}";
                return false;
            }

            if (reader.Peek() == ';')
            {
                reason = $"'{key}': parameters are not accepted here";
                return false;
            }

            members.Add(key, bytes);
            if (!reader.TryReadMemberSeparator(out var more, out reason))
            {
                return false;
            }

            if (!more)
            {
                break;
            }
        }

        result = members;
        return true;
    }

    /// <summary>Reads a dictionary member's key and its <c>=</c>; refuses a member beyond the limit.</summary>
    public bool TryReadMemberKey(int membersSoFar, [NotNullWhen(true)] out string? key, [NotNullWhen(false)] out string? reason)
    {
        key = null;
        if (membersSoFar >= HttpSignatures.MaxLabels)
        {
            reason = $"more than {HttpSignatures.MaxLabels} members";
            return false;
        }

        if (!TryReadKey(out key))
        {
            reason = $"a dictionary key is malformed at offset {_position}";
            return false;
        }

        if (Peek() != '=')
        {
            reason = $"the member '{key}' has no value";
            key = null;
            return false;
        }

        _position++;
        reason = null;
        return true;
    }

    /// <summary>After a member: true in <paramref name="more"/> when a comma follows, false at the end.</summary>
    public bool TryReadMemberSeparator(out bool more, [NotNullWhen(false)] out string? reason)
    {
        more = false;
        reason = null;
        SkipWhitespace();
        if (_position == _end)
        {
            return true;
        }

        if (_text[_position] != ',')
        {
            reason = $"unexpected '{_text[_position]}' at offset {_position}";
            return false;
        }

        _position++;
        SkipWhitespace();
        if (_position == _end)
        {
            reason = "a trailing comma";
            return false;
        }

        more = true;
        return true;
    }

    /// <summary>Reads <c>("c1" "c2");created=…;keyid="…"</c> and keeps its exact text.</summary>
    public bool TryReadSignatureParameters([NotNullWhen(true)] out SignatureParameters? parameters, [NotNullWhen(false)] out string? reason)
    {
        parameters = null;
        var start = _position;
        if (Peek() != '(')
        {
            reason = "the value is not an inner list";
            return false;
        }

        _position++;
        var components = new List<string>();
        while (true)
        {
            while (Peek() == ' ')
            {
                _position++;
            }

            if (Peek() == ')')
            {
                _position++;
                break;
            }

            if (Peek() != '"')
            {
                reason = "a covered component is not a string";
                return false;
            }

            if (!TryReadString(out var component, out reason))
            {
                return false;
            }

            if (Peek() == ';')
            {
                reason = $"the component \"{component}\" has parameters, which are not supported";
                return false;
            }

            if (!SignatureComponents.IsSupported(component, out reason))
            {
                return false;
            }

            components.Add(component);
            if (components.Count > HttpSignatures.MaxComponents)
            {
                reason = $"more than {HttpSignatures.MaxComponents} covered components";
                return false;
            }

            if (Peek() is not (' ' or ')'))
            {
                reason = "the inner list is malformed";
                return false;
            }
        }

        long? created = null;
        long? expires = null;
        string? nonce = null;
        string? keyId = null;
        string? alg = null;
        string? tag = null;
        var order = new List<string>();
        while (Peek() == ';')
        {
            _position++;
            while (Peek() == ' ')
            {
                _position++;
            }

            if (!TryReadKey(out var name))
            {
                reason = "a parameter name is malformed";
                return false;
            }

            if (order.Contains(name))
            {
                reason = $"the parameter '{name}' appears twice";
                return false;
            }

            if (Peek() != '=')
            {
                reason = $"the parameter '{name}' has no value";
                return false;
            }

            _position++;
            order.Add(name);
            if (name is "created" or "expires")
            {
                if (!TryReadNonNegativeInteger(name, out var number, out reason))
                {
                    return false;
                }

                if (name == "created")
                {
                    created = number;
                }
                else
                {
                    expires = number;
                }
            }
            else if (name is "nonce" or "keyid" or "alg" or "tag")
            {
                if (!TryReadStringParameter(name, out var text, out reason))
                {
                    return false;
                }

                switch (name)
                {
                    case "nonce":
                        nonce = text;
                        break;
                    case "keyid":
                        keyId = text;
                        break;
                    case "alg":
                        alg = text;
                        break;
                    default:
                        tag = text;
                        break;
                }
            }
            else
            {
                reason = $"the parameter '{name}' is not supported";
                return false;
            }
        }

        if (created is not { } createdValue)
        {
            reason = "the created parameter is missing";
            return false;
        }

        parameters = SignatureParameters.FromReceived(
            components, createdValue, nonce, keyId, alg, tag, expires, [.. order], _text[start.._position]);
        reason = null;
        return true;
    }

    public readonly char Peek() => _position < _end ? _text[_position] : '\0';

    private static bool IsKeyChar(char c) =>
        char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '.' or '*';

    private void SkipWhitespace()
    {
        while (_position < _end && _text[_position] is ' ' or '\t')
        {
            _position++;
        }
    }

    private bool TryReadKey([NotNullWhen(true)] out string? key)
    {
        key = null;
        var start = _position;
        if (_position >= _end || !(char.IsAsciiLetterLower(_text[_position]) || _text[_position] == '*'))
        {
            return false;
        }

        while (_position < _end && IsKeyChar(_text[_position]))
        {
            _position++;
        }

        key = _text[start.._position];
        return true;
    }

    private bool TryReadString([NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? reason)
    {
        value = null;
        if (Peek() != '"')
        {
            reason = "a string was expected";
            return false;
        }

        _position++;
        var builder = new StringBuilder();
        while (_position < _end)
        {
            var c = _text[_position++];
            if (c == '\\')
            {
                if (_position >= _end || _text[_position] is not ('"' or '\\'))
                {
                    reason = "a string has an invalid escape";
                    return false;
                }

                builder.Append(_text[_position++]);
            }
            else if (c == '"')
            {
                value = builder.ToString();
                reason = null;
                return true;
            }
            else if (c is < ' ' or > '~')
            {
                reason = "a string has a character outside printable ASCII";
                return false;
            }
            else
            {
                builder.Append(c);
            }
        }

        reason = "a string is not terminated";
        return false;
    }

    private bool TryReadStringParameter(string name, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? reason)
    {
        value = null;
        if (Peek() != '"')
        {
            reason = $"the {name} parameter is not a string";
            return false;
        }

        if (!TryReadString(out var text, out reason))
        {
            reason = $"the {name} parameter: {reason}";
            return false;
        }

        value = text;
        return true;
    }

    private bool TryReadNonNegativeInteger(string name, out long value, [NotNullWhen(false)] out string? reason)
    {
        value = 0;
        var start = _position;
        while (_position < _end && char.IsAsciiDigit(_text[_position]))
        {
            _position++;
        }

        var digits = _position - start;
        if (digits is 0 or > 15 || Peek() == '.')
        {
            reason = $"the {name} parameter is not a non-negative integer of at most 15 digits";
            return false;
        }

        value = long.Parse(_text.AsSpan(start, digits), NumberStyles.None, CultureInfo.InvariantCulture);
        reason = null;
        return true;
    }

    private bool TryReadByteSequence([NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? reason)
    {
        bytes = null;
        if (Peek() != ':')
        {
            reason = "the value is not a byte sequence";
            return false;
        }

        var start = ++_position;
        while (_position < _end && _text[_position] != ':')
        {
            var c = _text[_position];
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '/' or '='))
            {
                reason = "a byte sequence has a character outside base64";
                return false;
            }

            _position++;
        }

        if (_position >= _end)
        {
            reason = "a byte sequence is not terminated";
            return false;
        }

        var encoded = _text.AsSpan(start, _position - start);
        _position++;
        if (encoded.Length == 0 || encoded.Length % 4 != 0)
        {
            reason = "a byte sequence is empty or not padded base64";
            return false;
        }

        var buffer = new byte[encoded.Length / 4 * 3];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out var written))
        {
            reason = "a byte sequence is not valid base64";
            return false;
        }

        bytes = buffer[..written];
        reason = null;
        return true;
    }
}
