namespace GreyOS.Identity;

/// <summary>Identity settings (section <c>GreyOS:Identity</c>).</summary>
public sealed class IdentityOptions
{
    /// <summary>How long a browser (cookie) session lives before the user must log in again.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long an unused device session lives; each use extends it (sliding).</summary>
    public TimeSpan DeviceSessionLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How recent a credential proof must be for sensitive actions (step-up).</summary>
    public TimeSpan StepUpWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Accepted clock difference for a signature's <c>created</c> time (replay window is twice this).</summary>
    public TimeSpan SignatureWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Consecutive failed logins for a name before back-off starts.</summary>
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>The longest back-off between login attempts for a name.</summary>
    public TimeSpan LockoutMaxDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Password for the administrator <c>admin</c>, applied only while it has none (first boot of an
    /// automated deployment). Filled from <c>GREYOS_ADMIN_PASSWORD</c> or the file named by
    /// <c>GREYOS_ADMIN_PASSWORD_FILE</c>; never logged.
    /// </summary>
    public string? InitialAdminPassword { get; set; }
}
