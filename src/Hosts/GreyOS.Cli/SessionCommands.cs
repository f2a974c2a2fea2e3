using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using GreyOS.Client;

namespace GreyOS.Cli;

/// <summary><c>greyos login</c>, <c>greyos logout</c>, <c>greyos whoami</c>: the CLI's session with a node.</summary>
internal static class SessionCommands
{
    private const string DefaultUser = "admin";

    public static Command CreateLogin(CliIO io, Option<string> node)
    {
        var user = new Option<string>("--user") { Description = $"The user name (default {DefaultUser})", HelpName = "NAME" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input" };
        var command = new Command("login", "Log in to the node and keep the session token for later commands") { user, passwordStdin };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            var userName = parse.GetValue(user) is { Length: > 0 } name ? name : DefaultUser;
            string password;
            if (parse.GetValue(passwordStdin))
            {
                password = await context.ReadPasswordFromStdinAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (context.IO.IsInteractive)
            {
                password = await context.AskSecretAsync($"Password for {userName} at {context.Node.Key}:", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw CliException.Usage("no terminal to ask for the password: pass --password-stdin and write the password to standard input");
            }

            var previous = await context.Store.GetAsync(context.Node, cancellationToken).ConfigureAwait(false);
            var login = await context.Client.LoginAsync(userName, password, cancellationToken).ConfigureAwait(false);
            var session = login.Session;
            await context.Store.SetAsync(
                context.Node,
                new StoredSession(login.Token, session.SessionId, session.UserName, session.ExpiresAt, DateTimeOffset.UtcNow),
                CancellationToken.None).ConfigureAwait(false);

            if (previous is not null)
            {
                await RevokeQuietlyAsync(context, previous.Token, cancellationToken).ConfigureAwait(false);
            }

            context.WriteLine($"Logged in to {context.Node.Key} as {session.UserName} (role {session.Role}); the session expires {FormatTime(session.ExpiresAt)}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command CreateLogout(CliIO io, Option<string> node)
    {
        var command = new Command("logout", "End the session on the node and forget its token (does nothing when not logged in)");
        command.SetAction(CliApp.Action(io, node, async (context, _, cancellationToken) =>
        {
            var stored = await context.Store.GetAsync(context.Node, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                return ExitCodes.Success;
            }

            context.Client.SessionToken = stored.Token;
            try
            {
                await context.Client.LogoutAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (GreyOSApiException ex) when (ex.StatusCode == HttpStatusCode.Unauthorized)
            {
                // Already expired or revoked on the node: only the local copy is left to forget.
            }

            await context.Store.RemoveAsync(context.Node, CancellationToken.None).ConfigureAwait(false);
            context.WriteLine($"Logged out of {context.Node.Key}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command CreateWhoami(CliIO io, Option<string> node)
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("whoami", "Show who the stored session belongs to (asks the node)") { json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            var stored = await context.Store.GetAsync(context.Node, cancellationToken).ConfigureAwait(false)
                ?? throw CliException.Failure($"not logged in to {context.Node.Key} (run 'greyos login{context.NodeFlag}')");
            context.Client.SessionToken = stored.Token;
            Protocol.SessionInfo session;
            try
            {
                session = await context.Client.GetSessionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (GreyOSApiException ex) when (ex.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw CliException.Failure($"the stored session for {context.Node.Key} is expired or revoked; run 'greyos login{context.NodeFlag}' ({ex.Code ?? "unauthenticated"})");
            }

            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(new WhoamiOutput(context.Node.Key, session), CliJsonContext.Default.WhoamiOutput)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            context.WriteFacts(
            [
                ("User", session.UserName),
                ("Role", session.Role),
                ("Node", context.Node.Key),
                ("Expires", FormatTime(session.ExpiresAt)),
            ]);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task RevokeQuietlyAsync(CommandContext context, string token, CancellationToken cancellationToken)
    {
        context.Client.SessionToken = token;
        try
        {
            await context.Client.LogoutAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GreyOSApiException or GreyOSConnectionException)
        {
            // The replaced session expires on its own; the new login already succeeded.
        }
        finally
        {
            context.Client.SessionToken = null;
        }
    }

    private static string FormatTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
