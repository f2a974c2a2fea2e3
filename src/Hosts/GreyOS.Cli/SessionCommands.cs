using System.CommandLine;
using System.Net;
using System.Text.Json;
using GreyOS.Client;
using GreyOS.Protocol;

namespace GreyOS.Cli;

/// <summary>
/// <c>greyos login</c>, <c>greyos logout</c>, <c>greyos whoami</c>, <c>greyos step-up</c>: the CLI's
/// device key and session with a node (docs/design/0003-identity.md §6).
/// </summary>
internal static class SessionCommands
{
    private const string DefaultUser = "admin";

    public static Command CreateLogin(CliIO io, Option<string> node)
    {
        var user = new Option<string>("--user") { Description = $"The user name (default: the user last logged in to this node, else {DefaultUser})", HelpName = "NAME" };
        var srp = new Option<bool>("--srp") { Description = "Zero-knowledge login (SRP-6a): the password never leaves this computer" };
        var key = new Option<bool>("--key") { Description = "Log in with the device key already stored for this node (no password)" };
        var passwordStdin = PasswordStdin("Read the password from the first line of standard input");
        var command = new Command("login", "Log in: registers a new device key for this computer (or, with --key, reuses the stored one); later commands sign their requests with it")
        {
            user, srp, key, passwordStdin,
        };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            var withKey = parse.GetValue(key);
            var withSrp = parse.GetValue(srp);
            context.PasswordFromStdin = parse.GetValue(passwordStdin);
            if (withKey && withSrp)
            {
                throw CliException.Usage("--key and --srp are two ways to log in: pick one");
            }

            if (withKey && context.PasswordFromStdin)
            {
                throw CliException.Usage("--key logs in with the stored device key, without a password: drop --password-stdin");
            }

            var lookup = await context.Store.LookupAsync(context.Node, cancellationToken).ConfigureAwait(false);
            var previous = lookup.Session;
            return withKey
                ? await LoginWithKeyAsync(context, previous, parse.GetValue(user), cancellationToken).ConfigureAwait(false)
                : await LoginWithPasswordAsync(context, previous, parse.GetValue(user) is { Length: > 0 } name ? name : previous?.UserName ?? DefaultUser, withSrp, cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command CreateLogout(CliIO io, Option<string> node)
    {
        var forget = new Option<bool>("--forget") { Description = "Also revoke this computer's device on the node and delete its key" };
        var command = new Command("logout", "End the session on the node; the device key is kept for 'greyos login --key' unless --forget (does nothing when not logged in)") { forget };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            var lookup = await context.Store.LookupAsync(context.Node, cancellationToken).ConfigureAwait(false);
            var forgetKey = parse.GetValue(forget);
            if (lookup.Session is not { } stored)
            {
                if (lookup.Outdated)
                {
                    // A bearer token of an older greyos: the node no longer accepts it, so only the local copy is left.
                    await context.Store.RemoveAsync(context.Node, CancellationToken.None).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }

            if (!forgetKey)
            {
                if (!stored.HasSession)
                {
                    return ExitCodes.Success;
                }

                context.Client.Credential = stored.ToCredential();
                try
                {
                    await context.Client.LogoutAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (GreyOSApiException ex) when (ex.StatusCode == HttpStatusCode.Unauthorized)
                {
                    // Already expired or revoked on the node: only the local session id is left to forget.
                }

                await context.Store.SetAsync(context.Node, stored.WithoutSession(), CancellationToken.None).ConfigureAwait(false);
                context.WriteLine($"Logged out of {context.Node.Key}. The device key is kept: 'greyos login --key{context.NodeFlag}' logs in again without a password.");
                return ExitCodes.Success;
            }

            var revoked = await RevokeStoredDeviceAsync(context, stored, cancellationToken).ConfigureAwait(false);
            await context.Store.RemoveAsync(context.Node, CancellationToken.None).ConfigureAwait(false);
            context.WriteLine(revoked
                ? $"Logged out of {context.Node.Key}; revoked this computer's device {stored.DeviceId} and deleted its key."
                : $"Logged out of {context.Node.Key}; deleted this computer's key (its device was already revoked or unknown to the node).");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command CreateWhoami(CliIO io, Option<string> node)
    {
        var json = Json();
        var command = new Command("whoami", "Show who the stored session belongs to: user, roles, session, device, expiry (asks the node)") { json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var session = await context.Client.GetSessionAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(new WhoamiOutput(context.Node.Key, session), CliJsonContext.Default.WhoamiOutput)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var fresh = session.FreshUntil > DateTimeOffset.UtcNow
                ? $"until {CliTable.Time(session.FreshUntil)}"
                : $"no (sensitive actions ask for your password; or run 'greyos step-up{context.NodeFlag}')";
            context.WriteFacts(
            [
                ("User", session.UserName),
                ("Roles", CliTable.List(session.Roles)),
                ("Permissions", CliTable.List(session.Permissions)),
                ("Session", $"{session.SessionId} ({session.Kind})"),
                ("Device", session.DeviceId is null ? "-" : $"{session.DeviceId} ({context.Client.Credential!.Did})"),
                ("Node", context.Node.Key),
                ("Expires", CliTable.Time(session.ExpiresAt)),
                ("Fresh proof", fresh),
            ]);
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command CreateStepUp(CliIO io, Option<string> node)
    {
        var passwordStdin = PasswordStdin("Read your password from the first line of standard input");
        var command = new Command("step-up", "Prove your password again so sensitive actions (roles, passwords, deleting users) are allowed for a few minutes") { passwordStdin };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            context.PasswordFromStdin = parse.GetValue(passwordStdin);
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var password = await context.ReadPasswordAsync($"Password for {context.Stored!.UserName} at {context.Node.Key}:", cancellationToken).ConfigureAwait(false);
            var session = await context.Client.StepUpAsync(password, cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Fresh proof accepted: sensitive actions are allowed until {CliTable.Time(session.FreshUntil)}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>A <c>--password-stdin</c> flag.</summary>
    internal static Option<bool> PasswordStdin(string description) => new("--password-stdin") { Description = description };

    /// <summary>A <c>--json</c> flag.</summary>
    internal static Option<bool> Json() => new("--json") { Description = "Print machine-readable JSON" };

    private static async Task<int> LoginWithPasswordAsync(CommandContext context, StoredSession? previous, string userName, bool srp, CancellationToken cancellationToken)
    {
        var password = await context.ReadPasswordAsync($"Password for {userName} at {context.Node.Key}:", cancellationToken).ConfigureAwait(false);
        var deviceName = CommandContext.DeviceName(userName);
        var key = DeviceCredential.Generate();
        var (login, credential) = srp
            ? await context.Client.LoginWithSrpAsync(userName, password, key, deviceName, cancellationToken).ConfigureAwait(false)
            : await context.Client.LoginAsync(userName, password, key, deviceName, cancellationToken).ConfigureAwait(false);
        var session = login.Session;
        await context.Store.SetAsync(context.Node, StoredSession.From(session.UserName, credential, session.ExpiresAt), CancellationToken.None).ConfigureAwait(false);
        if (previous?.DeviceId is { } oldDevice && oldDevice != credential.DeviceId)
        {
            await RetireQuietlyAsync(context, previous, oldDevice, credential, cancellationToken).ConfigureAwait(false);
        }

        context.WriteLine($"Logged in to {context.Node.Key} as {session.UserName} (roles {CliTable.List(session.Roles)}){(srp ? " without sending the password (SRP)" : string.Empty)}; "
            + $"this computer is the device '{deviceName}' ({credential.DeviceId}); the session expires {CliTable.Time(session.ExpiresAt)}.");
        return ExitCodes.Success;
    }

    private static async Task<int> LoginWithKeyAsync(CommandContext context, StoredSession? previous, string? userName, CancellationToken cancellationToken)
    {
        if (previous is null)
        {
            throw CliException.Failure($"no device key is stored for {context.Node.Key}: log in with your password first ('greyos login{context.NodeFlag}')");
        }

        if (userName is { Length: > 0 } && !string.Equals(userName, previous.UserName, StringComparison.OrdinalIgnoreCase))
        {
            throw CliException.Usage($"the device key stored for {context.Node.Key} is {previous.UserName}'s, not {userName}'s: log in as {userName} with 'greyos login --user {userName}{context.NodeFlag}'");
        }

        LoginResponse login;
        DeviceCredential credential;
        try
        {
            (login, credential) = await context.Client.LoginWithKeyAsync(previous.ToCredential(), cancellationToken).ConfigureAwait(false);
        }
        catch (GreyOSApiException ex) when (ex.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw CliException.Failure($"the node refused the device key stored for {context.Node.Key} (was the device revoked?); log in with your password: 'greyos login{context.NodeFlag}' ({ex.Code ?? "unauthenticated"})");
        }

        var session = login.Session;
        await context.Store.SetAsync(context.Node, StoredSession.From(session.UserName, credential, session.ExpiresAt), CancellationToken.None).ConfigureAwait(false);
        if (previous.HasSession && previous.SessionId != credential.SessionId)
        {
            // The key's previous session (not logged out) is replaced: end it.
            await QuietlyAsync(context, previous.ToCredential(), client => client.LogoutAsync(cancellationToken), credential).ConfigureAwait(false);
        }

        context.WriteLine($"Logged in to {context.Node.Key} as {session.UserName} (roles {CliTable.List(session.Roles)}) with the stored device key ({credential.DeviceId}); "
            + $"the session expires {CliTable.Time(session.ExpiresAt)}.");
        return ExitCodes.Success;
    }

    /// <summary>
    /// A new key replaced <paramref name="previous"/>: its device (and so its session) is revoked,
    /// signed by the old session if it still lives, else by the new one (same user, or an
    /// administrator). Failures are ignored: the new login already succeeded.
    /// </summary>
    private static async Task RetireQuietlyAsync(CommandContext context, StoredSession previous, string oldDevice, DeviceCredential current, CancellationToken cancellationToken)
    {
        if (previous.HasSession && await QuietlyAsync(context, previous.ToCredential(), client => client.RevokeDeviceAsync(oldDevice, cancellationToken), current).ConfigureAwait(false))
        {
            return;
        }

        await QuietlyAsync(context, current, client => client.RevokeDeviceAsync(oldDevice, cancellationToken), current).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>logout --forget</c>: revokes the stored key's device, signed by its session, or (when that
    /// session is over) after a fresh key login. False when the node no longer knows the device.
    /// </summary>
    private static async Task<bool> RevokeStoredDeviceAsync(CommandContext context, StoredSession stored, CancellationToken cancellationToken)
    {
        if (stored.DeviceId is not { } deviceId)
        {
            return false;
        }

        if (stored.HasSession)
        {
            context.Client.Credential = stored.ToCredential();
            try
            {
                await context.Client.RevokeDeviceAsync(deviceId, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (GreyOSApiException ex) when (ex.StatusCode == HttpStatusCode.Unauthorized)
            {
                // The session is over; the key itself may still be good for a login.
            }
        }

        try
        {
            context.Client.Credential = null;
            await context.Client.LoginWithKeyAsync(stored.ToCredential(), cancellationToken).ConfigureAwait(false);
            await context.Client.RevokeDeviceAsync(deviceId, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (GreyOSApiException ex) when (ex.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Runs <paramref name="call"/> signed with <paramref name="credential"/>, ignoring the node's refusal; restores <paramref name="restore"/>.</summary>
    private static async Task<bool> QuietlyAsync(CommandContext context, DeviceCredential credential, Func<GreyOSClient, Task> call, DeviceCredential restore)
    {
        context.Client.Credential = credential;
        try
        {
            await call(context.Client).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is GreyOSApiException or GreyOSConnectionException)
        {
            return false;
        }
        finally
        {
            context.Client.Credential = restore;
        }
    }
}
