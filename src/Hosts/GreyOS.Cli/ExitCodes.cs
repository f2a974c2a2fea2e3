namespace GreyOS.Cli;

/// <summary>
/// The process exit codes of <c>greyos</c> (also listed in the README). <c>greyos run</c> and
/// <c>greyos wait</c> exit with the app's own code instead (see <see cref="ProcessOutcome"/>).
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The node refused the request (the stable error code is printed) or a local step failed.</summary>
    public const int Failure = 1;

    /// <summary>Bad usage: unknown command, unknown or malformed flag, missing input.</summary>
    public const int Usage = 2;

    /// <summary>The node could not be reached (refused, unknown host, TLS, timeout).</summary>
    public const int Unreachable = 3;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT (128 + 2).</summary>
    public const int Cancelled = 130;

    /// <summary>The app faulted (trap, memory or CPU limit), as shells report SIGABRT (128 + 6).</summary>
    public const int AppFaulted = 134;

    /// <summary>The app was killed, as shells report SIGKILL (128 + 9).</summary>
    public const int AppKilled = 137;
}
