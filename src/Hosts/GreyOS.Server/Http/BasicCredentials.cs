using System.Buffers.Text;
using System.Text;

namespace GreyOS.Server.Http;

/// <summary>HTTP Basic credentials (RFC 7617, UTF-8): the one parser for <c>/dav</c> and public-link passwords.</summary>
internal static class BasicCredentials
{
    private const string Scheme = "Basic ";

    /// <summary>Whether <paramref name="authorization"/> (the header's value) uses the Basic scheme.</summary>
    public static bool IsBasic(string authorization) => authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The user name (possibly empty) and secret of a Basic <paramref name="authorization"/> value;
    /// false for another scheme, bad base64, invalid UTF-8, no colon, or more than 4096 characters.
    /// </summary>
    public static bool TryParse(string authorization, out string name, out string secret)
    {
        name = secret = string.Empty;
        if (!IsBasic(authorization))
        {
            return false;
        }

        var encoded = authorization.AsSpan(Scheme.Length).Trim();
        if (encoded.Length is 0 or > 4096)
        {
            return false;
        }

        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out var length))
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        (name, secret) = (text[..colon], text[(colon + 1)..]);
        return true;
    }
}
