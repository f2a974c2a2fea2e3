using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using GreyOS.Protocol;

namespace GreyOS.Cli;

/// <summary>Arguments and options of the process verbs, validated at parse time (a bad value is a usage error, exit 2).</summary>
internal static class ProcessOptions
{
    /// <summary>A <c>PID</c> argument: a whole number greater than 0.</summary>
    public static Argument<long> Pid() => new("PID")
    {
        Description = "The process ID (see 'greyos ps')",
        CustomParser = result =>
        {
            var text = LastToken(result);
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0)
            {
                return pid;
            }

            result.AddError($"PID must be a process number such as 12, not '{text}'");
            return 0;
        },
    };

    /// <summary>A whole number option greater than 0 (null when absent).</summary>
    public static Option<long?> PositiveWhole(string name, string helpName, string description, long max) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result =>
        {
            var text = LastToken(result);
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= max)
            {
                return value;
            }

            result.AddError($"{name} must be a whole number from 1 to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
            return null;
        },
    };

    /// <summary>A number option greater than 0, decimals allowed (null when absent).</summary>
    public static Option<double?> PositiveNumber(string name, string helpName, string description) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result =>
        {
            var text = LastToken(result);
            if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value > 0)
            {
                return value;
            }

            result.AddError($"{name} must be a number greater than 0 such as 30 or 0.5, not '{text}'");
            return null;
        },
    };

    /// <summary>Parses <c>K=V</c>: a non-empty name without <c>=</c> or NUL; the value may be empty and contain <c>=</c>.</summary>
    public static bool TryParseEnvironmentVariable(string text, out string name, out string value)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || text.Contains('\0', StringComparison.Ordinal))
        {
            (name, value) = (string.Empty, string.Empty);
            return false;
        }

        (name, value) = (text[..equals], text[(equals + 1)..]);
        return true;
    }

    /// <summary>
    /// Parses <c>--dir VFS_PATH[:GUEST_PATH][:ro]</c>: both paths absolute; the guest path starts at the
    /// last <c>:/</c>; a trailing <c>:ro</c> grants reading only. The node validates the paths again.
    /// </summary>
    public static bool TryParseDirectory(string text, out DirectoryGrantDto grant, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        grant = null!;
        var value = text;
        var readOnly = value.EndsWith(":ro", StringComparison.Ordinal);
        if (readOnly)
        {
            value = value[..^3];
        }

        string? guest = null;
        var split = value.LastIndexOf(":/", StringComparison.Ordinal);
        if (split > 0)
        {
            guest = value[(split + 1)..];
            value = value[..split];
        }

        if (!value.StartsWith('/') || value.Contains('\0', StringComparison.Ordinal))
        {
            error = $"--dir expects an absolute VFS folder such as /home/you/work[:/work][:ro], not '{text}'";
            return false;
        }

        if (guest is not null && guest.Split('/').Any(s => s is "." or ".."))
        {
            error = $"--dir: the guest path must not contain '.' or '..' segments ('{text}')";
            return false;
        }

        grant = new DirectoryGrantDto(value, guest, readOnly);
        error = string.Empty;
        return true;
    }

    private static string LastToken(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
}
