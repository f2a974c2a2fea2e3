using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.Identity;

/// <summary>First-boot setup of the administrator account with a one-time setup code.</summary>
public interface IAdminSetup
{
    /// <summary>
    /// The setup code issued by this start of the node, for the host to show the operator once;
    /// null when setup is not pending or was completed since.
    /// </summary>
    string? IssuedCode { get; }

    /// <summary>True while the administrator has no password yet.</summary>
    ValueTask<bool> IsPendingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Uses the setup code once to set the administrator's password. A wrong, reused or expired code
    /// is refused with <see cref="ErrorCodes.SetupCodeInvalid"/> and changes nothing.
    /// </summary>
    ValueTask<Result<string>> CompleteAsync(string setupCode, string password, CancellationToken cancellationToken);
}
