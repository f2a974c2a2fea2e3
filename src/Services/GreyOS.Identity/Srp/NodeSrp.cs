using System.Security.Cryptography;
using GreyOS.Abstractions.Identity;

namespace GreyOS.Identity.Srp;

/// <summary>
/// The node's <see cref="SrpServer"/>, created on first use (after the instance key is loaded): its
/// secret for decoy answers to unknown users is derived from the instance key, so decoy salts stay
/// the same across restarts, as real ones do.
/// </summary>
internal sealed class NodeSrp(IInstanceIdentity instance)
{
    private readonly Lazy<SrpServer> _server = new(() => new SrpServer(SHA256.HashData(instance.Sign("greyos-srp-decoy-v1"u8))));

    public SrpServer Server => _server.Value;
}
