using System.Collections;
using System.Globalization;
using GreyOS.Abstractions.Node;
using Microsoft.Extensions.Configuration;

namespace GreyOS.Hosting.Configuration;

/// <summary>
/// Assembles the node's configuration — appsettings.json beside the binary, then environment
/// (<c>GREYOS__SECTION__KEY</c>, and the short forms <c>GREYOS_URLS</c>, <c>GREYOS_DATA</c>), then
/// flags — and validates it: unknown keys and bad values stop the start with a message that names
/// the key and the fix.
/// </summary>
public static class NodeConfiguration
{
    /// <summary>The entries of the list <c>FileSystem:MountRoots</c> (<c>FileSystem:MountRoots:0</c>, <c>:1</c> …) share one validator.</summary>
    private const string MountRootsKey = "FileSystem:MountRoots:<n>";

    // Every key of the GreyOS section, with a validator returning an error message or null.
    private static readonly Dictionary<string, Func<string?, string?>> KnownKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Urls"] = ValidateUrls,
        ["DataDirectory"] = v => string.IsNullOrWhiteSpace(v) ? "must name a folder" : null,
        ["CredentialRequestsPerMinute"] = v => Integer(v, 1, 1_000_000),
        ["Identity:SessionLifetime"] = v => Duration(v, TimeSpan.FromMinutes(5), TimeSpan.FromDays(30)),
        ["Identity:DeviceSessionLifetime"] = v => Duration(v, TimeSpan.FromMinutes(5), TimeSpan.FromDays(365)),
        ["Identity:StepUpWindow"] = v => Duration(v, TimeSpan.Zero, TimeSpan.FromHours(1)),
        ["Identity:SignatureWindow"] = v => Duration(v, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(30)),
        ["Identity:LockoutThreshold"] = v => Integer(v, 1, 100),
        ["Identity:LockoutMaxDelay"] = v => Duration(v, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
        ["Kernel:MaxProcesses"] = v => Integer(v, 1, 100_000),
        ["Kernel:MaxProcessesPerUser"] = v => Integer(v, 1, 100_000),
        ["Kernel:DefaultMemoryMiB"] = v => Integer(v, 1, 4096),
        ["Kernel:MaxMemoryMiB"] = v => Integer(v, 1, 65_536),
        ["Kernel:DefaultCpuSeconds"] = v => Number(v, 0.01, 86_400),
        ["Kernel:MaxCpuSeconds"] = v => Number(v, 0.01, 31_536_000),
        ["Kernel:SyscallsPerSecond"] = v => Integer(v, 1, 1_000_000_000),
        ["FileSystem:GcInterval"] = v => Duration(v, TimeSpan.Zero, TimeSpan.FromDays(365)),
        ["FileSystem:GcGracePeriod"] = v => Duration(v, TimeSpan.Zero, TimeSpan.FromDays(30)),
        ["FileSystem:Uploads:MaxLength"] = v => Integer(v, 0, long.MaxValue),
        ["FileSystem:Uploads:MaxOpenPerUser"] = v => Integer(v, 1, 10_000),
        ["FileSystem:Uploads:Expiry"] = v => Duration(v, TimeSpan.FromSeconds(1), TimeSpan.FromDays(30)),
        ["FileSystem:Uploads:SweepInterval"] = v => Duration(v, TimeSpan.Zero, TimeSpan.FromDays(1)),
        ["FileSystem:VersionsKept"] = v => Integer(v, 0, 1000),
        ["FileSystem:VersionCopyLimitBytes"] = v => Integer(v, 0, long.MaxValue),
        ["FileSystem:DefaultUserQuotaBytes"] = v => Integer(v, 0, long.MaxValue),
        ["FileSystem:SharedQuotaBytes"] = v => Integer(v, 0, long.MaxValue),
        ["FileSystem:AppQuotaBytes"] = v => Integer(v, 0, long.MaxValue),
        ["FileSystem:TrashRetention"] = v => Duration(v, TimeSpan.Zero, TimeSpan.FromDays(3650)),
        ["FileSystem:SearchVisitLimit"] = v => Integer(v, 1, 10_000_000),
        ["FileSystem:WatchesPerUser"] = v => Integer(v, 1, 10_000),
        ["KeyValue:MaxBytesPerApp"] = v => Integer(v, 0, long.MaxValue),
        ["KeyValue:MaxEntriesPerApp"] = v => Integer(v, 1, 100_000_000),
        [MountRootsKey] = v => string.IsNullOrWhiteSpace(v) || !Path.IsPathFullyQualified(v) ? "must be the absolute path of a host folder" : null,
    };

    private static string? Duration(string? value, TimeSpan min, TimeSpan max) =>
        TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var t) && t >= min && t <= max
            ? null
            : $"must be a duration (d.hh:mm:ss) between {min:c} and {max:c}";

    private static string? Integer(string? value, long min, long max) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? null
            : $"must be a whole number between {min} and {max}";

    private static string? Number(string? value, double min, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? null
            : $"must be a number between {min} and {max}";

    /// <summary>
    /// Adds the environment and flag sources to <paramref name="builder"/>, above whatever it holds
    /// (the host builder has already added appsettings.json from the binary's folder).
    /// </summary>
    public static void AddNodeSources(IConfigurationBuilder builder, NodeArguments arguments, IDictionary? environment = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(arguments);
        environment ??= Environment.GetEnvironmentVariables();

        var fromEnvironment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment)
        {
            var name = (string)entry.Key;
            var value = entry.Value as string;
            if (name.StartsWith("GREYOS__", StringComparison.OrdinalIgnoreCase))
            {
                fromEnvironment[GreyOSOptions.Section + ":" + name["GREYOS__".Length..].Replace("__", ":", StringComparison.Ordinal)] = value;
            }
            else if (name.Equals("GREYOS_URLS", StringComparison.OrdinalIgnoreCase))
            {
                fromEnvironment[$"{GreyOSOptions.Section}:Urls"] = value;
            }
            else if (name.Equals("GREYOS_DATA", StringComparison.OrdinalIgnoreCase))
            {
                fromEnvironment[$"{GreyOSOptions.Section}:DataDirectory"] = value;
            }
        }

        builder.AddInMemoryCollection(fromEnvironment);
        builder.AddInMemoryCollection(arguments.Settings);
    }

    /// <summary>Checks every key and value of the GreyOS section; throws <see cref="NodeStartupException"/> on the first problem.</summary>
    public static GreyOSOptions Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(GreyOSOptions.Section);
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is null)
            {
                continue; // a section node, not a leaf
            }

            var known = key.StartsWith("FileSystem:MountRoots:", StringComparison.OrdinalIgnoreCase) && int.TryParse(key.AsSpan("FileSystem:MountRoots:".Length), NumberStyles.None, CultureInfo.InvariantCulture, out _)
                ? MountRootsKey
                : key;
            if (!KnownKeys.TryGetValue(known, out var validate))
            {
                throw new NodeStartupException(
                    $"unknown setting '{GreyOSOptions.Section}:{key}'; known settings are {string.Join(", ", KnownKeys.Keys.Select(k => GreyOSOptions.Section + ":" + k))}");
            }

            if (validate(value) is { } problem)
            {
                throw new NodeStartupException($"setting '{GreyOSOptions.Section}:{key}' = '{value}' is invalid: it {problem}");
            }
        }

        var options = new GreyOSOptions();
        section.Bind(options);
        options.DataDirectory = string.IsNullOrWhiteSpace(options.DataDirectory)
            ? GreyOSOptions.DefaultDataDirectory
            : Path.GetFullPath(options.DataDirectory);
        return options;
    }

    /// <summary>
    /// The initial admin password from <c>GREYOS_ADMIN_PASSWORD</c> or the file named by
    /// <c>GREYOS_ADMIN_PASSWORD_FILE</c> (trailing newline trimmed); null when neither is set.
    /// </summary>
    public static string? ReadInitialAdminPassword(IDictionary? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariables();
        var direct = environment["GREYOS_ADMIN_PASSWORD"] as string;
        var file = environment["GREYOS_ADMIN_PASSWORD_FILE"] as string;
        if (!string.IsNullOrEmpty(direct) && !string.IsNullOrEmpty(file))
        {
            throw new NodeStartupException("both GREYOS_ADMIN_PASSWORD and GREYOS_ADMIN_PASSWORD_FILE are set; set only one");
        }

        if (string.IsNullOrEmpty(file))
        {
            return string.IsNullOrEmpty(direct) ? null : direct;
        }

        try
        {
            return File.ReadAllText(file).TrimEnd('\r', '\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NodeStartupException($"cannot read GREYOS_ADMIN_PASSWORD_FILE '{file}': {ex.Message}", ex);
        }
    }

    private static string? ValidateUrls(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "must list at least one URL such as http://127.0.0.1:5080";
        }

        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcard hosts (http://*:5080, http://+:5080) are not URI hosts: check them as 0.0.0.0.
            var candidate = part.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/" || uri.Query.Length > 0)
            {
                return $"must be http://HOST:PORT addresses separated by ';' ('{part}' is not; for HTTPS put a TLS reverse proxy in front)";
            }
        }

        return null;
    }
}
