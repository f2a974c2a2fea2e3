using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GreyOS.Abstractions.Errors;
using NSec.Cryptography;

namespace GreyOS.Identity.Passwords;

/// <summary>
/// Argon2id password hashes (libsodium through NSec) stored as PHC strings:
/// <c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c>. Parameters are OWASP's
/// recommended minimum (19 MiB, 2 passes, 1 lane); stored hashes keep their own parameters.
/// </summary>
public static class PasswordHasher
{
    /// <summary>Memory cost in KiB.</summary>
    public const long MemoryKiB = 19_456;

    /// <summary>Number of passes.</summary>
    public const long Passes = 2;

    /// <summary>Shortest accepted password, in characters.</summary>
    public const int MinimumLength = 10;

    /// <summary>Longest accepted password, in UTF-8 bytes (bounds the work a request can cause).</summary>
    public const int MaximumBytes = 1024;

    private const int SaltSize = 16;
    private const int HashSize = 32;

    /// <summary>Checks the password policy; null when the password is acceptable.</summary>
    public static GreyError? CheckPolicy(string? password)
    {
        if (string.IsNullOrWhiteSpace(password) || password.Length < MinimumLength)
        {
            return GreyError.Invalid(ErrorCodes.PasswordPolicy, $"the password must have at least {MinimumLength} characters");
        }

        if (Encoding.UTF8.GetByteCount(password) > MaximumBytes)
        {
            return GreyError.Invalid(ErrorCodes.PasswordPolicy, $"the password must have at most {MaximumBytes} bytes");
        }

        return null;
    }

    /// <summary>Hashes a password with a fresh random salt.</summary>
    public static string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Derive(password, salt, MemoryKiB, Passes, HashSize);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"$argon2id$v=19$m={MemoryKiB},t={Passes},p=1${Convert.ToBase64String(salt).TrimEnd('=')}${Convert.ToBase64String(hash).TrimEnd('=')}");
    }

    /// <summary>Verifies a password against a PHC string in constant time; false for malformed hashes.</summary>
    public static bool Verify(string password, string phc)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryParse(phc, out var memory, out var passes, out var salt, out var expected) || Encoding.UTF8.GetByteCount(password) > MaximumBytes)
        {
            return false;
        }

        var actual = Derive(password, salt, memory, passes, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>
    /// At most this many Argon2 derivations run at once (each holds 19 MiB and a core for tens of
    /// milliseconds): a flood of logins queues here instead of exhausting the node's memory.
    /// </summary>
    public static int MaxConcurrent { get; } = Math.Max(2, Environment.ProcessorCount);

    private static readonly SemaphoreSlim Gate = new(MaxConcurrent, MaxConcurrent);

    /// <summary><see cref="Hash"/> behind the concurrency gate.</summary>
    public static async Task<string> HashAsync(string password, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Hash(password);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary><see cref="Verify"/> behind the concurrency gate.</summary>
    public static async Task<bool> VerifyAsync(string password, string phc, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Verify(password, phc);
        }
        finally
        {
            Gate.Release();
        }
    }

    private static byte[] Derive(string password, byte[] salt, long memoryKiB, long passes, int size)
    {
        var parameters = new Argon2Parameters { DegreeOfParallelism = 1, MemorySize = memoryKiB, NumberOfPasses = passes };
        return PasswordBasedKeyDerivationAlgorithm.Argon2id(parameters).DeriveBytes(password, salt, size);
    }

    private static bool TryParse(string? phc, out long memory, out long passes, out byte[] salt, out byte[] hash)
    {
        memory = passes = 0;
        salt = hash = [];
        var parts = phc?.Split('$');
        if (parts is not { Length: 6 } || parts[1] != "argon2id" || parts[2] != "v=19")
        {
            return false;
        }

        foreach (var setting in parts[3].Split(','))
        {
            var kv = setting.Split('=');
            if (kv.Length != 2 || !long.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            switch (kv[0])
            {
                case "m": memory = value; break;
                case "t": passes = value; break;
                case "p" when value == 1: break;
                default: return false;
            }
        }

        // Bound what a stored hash can make us do (a tampered row must not exhaust memory).
        if (memory is < 8 or > 1_048_576 || passes is < 1 or > 32)
        {
            return false;
        }

        return TryBase64(parts[4], out salt) && salt.Length >= SaltSize && TryBase64(parts[5], out hash) && hash.Length is >= 16 and <= 64;
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        var padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        bytes = new byte[padded.Length];
        if (Convert.TryFromBase64String(padded, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        bytes = [];
        return false;
    }
}
