namespace GreyOS.Hosting.Configuration;

/// <summary>The node's settings: section <c>GreyOS</c> of appsettings.json, <c>GREYOS__…</c> variables and flags.</summary>
public sealed class GreyOSOptions
{
    public const string Section = "GreyOS";

    /// <summary>The default listening address: loopback only, so a fresh node is not exposed.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>Where the node listens: one or more <c>http://host:port</c> separated by ';'.</summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>The data folder; default <c>$XDG_DATA_HOME/greyos</c> (usually <c>~/.local/share/greyos</c>).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// Credential requests (setup, logins, challenges, step-up) one client address may make per minute
    /// (bursts up to this many): slows password guessing from one place; the per-name back-off slows
    /// it from many. Raise it for a node behind a proxy or NAT with many users.
    /// </summary>
    public int CredentialRequestsPerMinute { get; set; } = 30;

    /// <summary>The data folder used when none is configured.</summary>
    public static string DefaultDataDirectory
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            var root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return Path.Combine(root, "greyos");
        }
    }
}
