using System.Security.Cryptography;
using System.Text;

namespace GreyOS.Identity.Setup;

/// <summary>
/// One-time setup codes: 20 characters of Crockford base32 (100 bits), shown as
/// <c>ABCDE-FGHJK-MNPQR-STVWX</c>. Input is normalized (case, dashes, spaces, I/L→1, O→0).
/// Only the SHA-256 of the normalized code is stored.
/// </summary>
internal static class SetupCode
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int Length = 20;

    public static string Generate()
    {
        Span<char> chars = stackalloc char[Length];
        for (var i = 0; i < Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return $"{chars[..5]}-{chars[5..10]}-{chars[10..15]}-{chars[15..]}";
    }

    /// <summary>The stored hash of a code; null when the input cannot be a setup code at all.</summary>
    public static byte[]? Hash(string? input)
    {
        if (input is null || input.Length > 64)
        {
            return null;
        }

        var normalized = new StringBuilder(Length);
        foreach (var c in input)
        {
            var upper = char.ToUpperInvariant(c);
            switch (upper)
            {
                case '-' or ' ':
                    continue;
                case 'I' or 'L':
                    normalized.Append('1');
                    break;
                case 'O':
                    normalized.Append('0');
                    break;
                default:
                    if (!Alphabet.Contains(upper, StringComparison.Ordinal))
                    {
                        return null;
                    }

                    normalized.Append(upper);
                    break;
            }
        }

        return normalized.Length == Length ? SHA256.HashData(Encoding.ASCII.GetBytes(normalized.ToString())) : null;
    }
}
