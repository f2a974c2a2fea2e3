using System.CommandLine;
using System.Globalization;

namespace GreyOS.Cli;

/// <summary>Arguments and options of the identity verbs (user, group, role, device, session), validated at parse time.</summary>
internal static class AccountOptions
{
    private static readonly (string Suffix, long Factor)[] ByteSuffixes =
    [
        ("TIB", 1L << 40), ("GIB", 1L << 30), ("MIB", 1L << 20), ("KIB", 1L << 10),
        ("TB", 1L << 40), ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10),
        ("T", 1L << 40), ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10), ("B", 1),
    ];

    /// <summary>A required name argument.</summary>
    public static Argument<string> Name(string name, string description) => new(name) { Description = description };

    /// <summary><c>--role R</c>, repeatable.</summary>
    public static Option<string[]> Roles(string description) => new("--role")
    {
        Description = description,
        HelpName = "ROLE",
    };

    /// <summary><c>--display-name TEXT</c>.</summary>
    public static Option<string> DisplayName() => new("--display-name") { Description = "The name shown for the user (default: the user name)", HelpName = "TEXT" };

    /// <summary><c>--quota BYTES</c>: a whole number of bytes, optionally with K, M, G or T (powers of 1024); 0 is the node's default.</summary>
    public static Option<long?> Quota() => new("--quota")
    {
        Description = "Storage quota in bytes; K, M, G, T suffixes are powers of 1024 (e.g. 10G); 0: the node's default",
        HelpName = "BYTES",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
            if (TryParseBytes(text, out var bytes))
            {
                return bytes;
            }

            result.AddError($"--quota must be a whole number of bytes such as 1073741824 or 1G, not '{text}'");
            return null;
        },
    };

    /// <summary>Parses <c>1073741824</c>, <c>512K</c>, <c>10G</c>, <c>1GiB</c> (powers of 1024).</summary>
    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        var trimmed = text.Trim();
        long factor = 1;
        foreach (var (suffix, value) in ByteSuffixes)
        {
            if (trimmed.Length > suffix.Length && trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed[..^suffix.Length].TrimEnd();
                factor = value;
                break;
            }
        }

        if (!long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        try
        {
            bytes = checked(number * factor);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Fails the parse unless exactly one of <paramref name="options"/> was given (once).</summary>
    public static void RequireExactlyOne(Command command, params Option<string>[] options) =>
        command.Validators.Add(result =>
        {
            var given = options.Count(option => result.GetResult(option) is { Tokens.Count: > 0 });
            if (given != 1)
            {
                result.AddError($"name exactly one member: {string.Join(" or ", options.Select(o => $"{o.Name} {o.HelpName}"))}");
            }
        });
}
