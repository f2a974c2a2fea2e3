using System.CommandLine;
using System.Text.Json;
using GreyOS.Client;

namespace GreyOS.Cli;

/// <summary>
/// <c>greyos device list | revoke</c> and <c>greyos session list | revoke</c>: your device keys and
/// sessions (anyone's with <c>devices.manage</c> / <c>sessions.manage</c>).
/// </summary>
internal static class DeviceCommands
{
    public static Command CreateDevice(CliIO io, Option<string> node)
    {
        var command = new Command("device", "Manage device keys: list, revoke") { ListDevices(io, node), RevokeDevice(io, node) };
        command.SetAction(CliApp.ShowHelp);
        return command;
    }

    public static Command CreateSession(CliIO io, Option<string> node)
    {
        var command = new Command("session", "Manage sessions: list, revoke") { ListSessions(io, node), RevokeSession(io, node) };
        command.SetAction(CliApp.ShowHelp);
        return command;
    }

    private static Command ListDevices(CliIO io, Option<string> node)
    {
        var user = new Option<string>("--user") { Description = "Someone else's devices (needs devices.manage)", HelpName = "NAME" };
        var json = SessionCommands.Json();
        var command = new Command("list", "List your device keys (revoked ones too): ID, name, DID, created, last seen, state") { user, json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var devices = await context.Client.ListDevicesAsync(parse.GetValue(user), cancellationToken).ConfigureAwait(false);
            var current = context.Stored!.DeviceId;
            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(new DeviceListOutput(context.Node.Key, current, devices), CliJsonContext.Default.DeviceListOutput)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            if (devices.Count == 0)
            {
                context.WriteLine("No devices.");
                return ExitCodes.Success;
            }

            var table = CliTable.Create("ID", "NAME", "DID", "CREATED", "LAST SEEN", "STATE");
            foreach (var device in devices)
            {
                var state = device.RevokedAt is { } revoked
                    ? $"revoked {CliTable.Time(revoked)}"
                    : device.Id == current ? "active (this computer)" : "active";
                table.AddTextRow(device.Id, device.Name, device.Did, CliTable.Time(device.CreatedAt), CliTable.Time(device.LastSeenAt), state);
            }

            context.Console.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command RevokeDevice(CliIO io, Option<string> node)
    {
        var id = AccountOptions.Name("ID", "The device's ID (see 'greyos device list')");
        var command = new Command("revoke", "Revoke a device key and end its sessions") { id };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var stored = context.Stored!;
            var device = await context.WithFreshProofAsync(ct => context.Client.RevokeDeviceAsync(parse.GetValue(id)!, ct), cancellationToken).ConfigureAwait(false);
            if (device.Id == stored.DeviceId)
            {
                // This computer's own key is now useless: forget it.
                await context.Store.RemoveAsync(context.Node, CancellationToken.None).ConfigureAwait(false);
                context.WriteLine($"Revoked device {device.Id} ('{device.Name}') and ended its sessions. It was this computer's device: its key is deleted; log in again with 'greyos login{context.NodeFlag}'.");
                return ExitCodes.Success;
            }

            context.WriteLine($"Revoked device {device.Id} ('{device.Name}') and ended its sessions.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command ListSessions(CliIO io, Option<string> node)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Everyone's sessions, not just yours (needs sessions.manage)" };
        var json = SessionCommands.Json();
        var command = new Command("list", "List your sessions, live and recently ended: ID, kind, device, client, last seen, expiry, state") { all, json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var everyone = parse.GetValue(all);
            var sessions = await context.Client.ListSessionsAsync(everyone, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(new SessionListOutput(context.Node.Key, sessions), CliJsonContext.Default.SessionListOutput)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            if (sessions.Count == 0)
            {
                context.WriteLine("No sessions.");
                return ExitCodes.Success;
            }

            var names = everyone ? await UserNamesAsync(context.Client, cancellationToken).ConfigureAwait(false) : null;
            var table = everyone
                ? CliTable.Create("ID", "USER", "KIND", "DEVICE", "CLIENT", "LAST SEEN", "EXPIRES", "STATE")
                : CliTable.Create("ID", "KIND", "DEVICE", "CLIENT", "LAST SEEN", "EXPIRES", "STATE");
            var now = DateTimeOffset.UtcNow;
            foreach (var session in sessions)
            {
                var state = session.RevokedAt is not null ? "revoked"
                    : session.ExpiresAt <= now ? "expired"
                    : session.Current ? "live (this one)" : "live";
                List<string> cells = [session.Id];
                if (everyone)
                {
                    cells.Add(names?.GetValueOrDefault(session.UserId) ?? session.UserId);
                }

                cells.AddRange([session.Kind, session.DeviceId ?? "-", session.Client ?? "-", CliTable.Time(session.LastSeenAt), CliTable.Time(session.ExpiresAt), state]);
                table.AddTextRow([.. cells]);
            }

            context.Console.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command RevokeSession(CliIO io, Option<string> node)
    {
        var id = AccountOptions.Name("ID", "The session's ID (see 'greyos session list')");
        var command = new Command("revoke", "End a session (its device stays registered)") { id };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var stored = context.Stored!;
            var sessionId = parse.GetValue(id)!;
            await context.WithFreshProofAsync(ct => context.Client.RevokeSessionAsync(sessionId, ct), cancellationToken).ConfigureAwait(false);
            if (sessionId == stored.SessionId)
            {
                await context.Store.SetAsync(context.Node, stored.WithoutSession(), CancellationToken.None).ConfigureAwait(false);
                context.WriteLine($"Revoked session {sessionId}. It was this computer's session: 'greyos login --key{context.NodeFlag}' logs in again.");
                return ExitCodes.Success;
            }

            context.WriteLine($"Revoked session {sessionId}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>User names by ID when the caller may list users; else null (IDs are shown).</summary>
    private static async Task<Dictionary<string, string>?> UserNamesAsync(GreyOSClient client, CancellationToken cancellationToken)
    {
        try
        {
            var users = await client.ListUsersAsync(cancellationToken).ConfigureAwait(false);
            return users.ToDictionary(u => u.Id, u => u.Name, StringComparer.Ordinal);
        }
        catch (GreyOSApiException ex) when (ex.StatusCode is System.Net.HttpStatusCode.Forbidden)
        {
            return null;
        }
    }
}
