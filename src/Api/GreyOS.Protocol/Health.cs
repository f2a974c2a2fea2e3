namespace GreyOS.Protocol;

/// <summary><c>GET /api/v1/health</c>: the node is alive.</summary>
/// <param name="Status">Always <c>ok</c> when the node answers.</param>
/// <param name="Version">GreyOS version (SemVer).</param>
/// <param name="Instance">The instance's DID (<c>did:key:z6Mk…</c>), stable across restarts.</param>
/// <param name="StartedAt">When this node process started (UTC).</param>
/// <param name="UptimeSeconds">Seconds since start.</param>
/// <param name="SetupPending">True while the administrator has no password (run <c>greyos setup</c>).</param>
public sealed record HealthResponse(string Status, string Version, string Instance, DateTimeOffset StartedAt, double UptimeSeconds, bool SetupPending);

/// <summary><c>GET /api/v1/ready</c>: <c>ready</c> (200) or <c>not_ready</c> (503).</summary>
public sealed record ReadyResponse(string Status);
