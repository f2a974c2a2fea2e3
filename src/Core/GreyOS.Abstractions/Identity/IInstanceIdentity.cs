namespace GreyOS.Abstractions.Identity;

/// <summary>The identity of this GreyOS instance: an Ed25519 key pair, published as a did:key.</summary>
public interface IInstanceIdentity
{
    /// <summary>The instance's decentralized identifier, e.g. <c>did:key:z6Mk…</c>.</summary>
    string Did { get; }

    /// <summary>The 32-byte Ed25519 public key.</summary>
    ReadOnlyMemory<byte> PublicKey { get; }

    /// <summary>Signs <paramref name="data"/> with the instance key (64-byte Ed25519 signature).</summary>
    byte[] Sign(ReadOnlySpan<byte> data);
}
