namespace GreyOS.Identity;

/// <summary>Identity settings (section <c>GreyOS:Identity</c>).</summary>
public sealed class IdentityOptions
{
    /// <summary>How long a login session lives before the user must log in again.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Password for the administrator <c>admin</c>, applied only while it has none (first boot of an
    /// automated deployment). Filled from <c>GREYOS_ADMIN_PASSWORD</c> or the file named by
    /// <c>GREYOS_ADMIN_PASSWORD_FILE</c>; never logged.
    /// </summary>
    public string? InitialAdminPassword { get; set; }
}
