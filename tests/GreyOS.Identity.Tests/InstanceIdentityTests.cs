using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Node;
using GreyOS.Identity.Keys;
using GreyOS.Testing;
using NSec.Cryptography;

namespace GreyOS.Identity.Tests;

public sealed class InstanceIdentityTests
{
    [Fact]
    public async Task Initialize_FirstBoot_CreatesOwnerOnlyKeyAndDidKey()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path);

        var identity = harness.Get<IInstanceIdentity>();
        var keyFile = temp.File("instance.key");

        Assert.StartsWith("did:key:z6Mk", identity.Did, StringComparison.Ordinal);
        Assert.True(File.Exists(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.True(DidKey.TryParseEd25519(identity.Did, out var published));
        Assert.Equal(identity.PublicKey.ToArray(), published);
    }

    [Fact]
    public async Task Initialize_Restart_KeepsTheSameDid()
    {
        using var temp = new TempDirectory();
        string first;
        await using (var harness = await IdentityHarness.StartAsync(temp.Path))
        {
            first = harness.Get<IInstanceIdentity>().Did;
        }

        await using var restarted = await IdentityHarness.StartAsync(temp.Path);

        Assert.Equal(first, restarted.Get<IInstanceIdentity>().Did);
    }

    [Fact]
    public async Task Initialize_TwoInstances_HaveDifferentDids()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        await using var first = await IdentityHarness.StartAsync(a.Path);
        await using var second = await IdentityHarness.StartAsync(b.Path);

        Assert.NotEqual(first.Get<IInstanceIdentity>().Did, second.Get<IInstanceIdentity>().Did);
    }

    [Fact]
    public async Task Sign_Data_VerifiesWithThePublishedKey()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path);
        var identity = harness.Get<IInstanceIdentity>();
        byte[] data = [1, 2, 3];

        var signature = identity.Sign(data);

        var publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, identity.PublicKey.Span, KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(publicKey, data, signature));
        Assert.False(SignatureAlgorithm.Ed25519.Verify(publicKey, [1, 2, 4], signature));
    }

    [Fact]
    public async Task Initialize_KeyReadableByOthers_RefusesToStart()
    {
        using var temp = new TempDirectory();
        await (await IdentityHarness.StartAsync(temp.Path)).DisposeAsync();
        File.SetUnixFileMode(temp.File("instance.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => IdentityHarness.StartAsync(temp.Path));

        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Initialize_KeyFileGarbage_RefusesToStartWithClearMessage()
    {
        using var temp = new TempDirectory();
        await (await IdentityHarness.StartAsync(temp.Path)).DisposeAsync();
        await File.WriteAllTextAsync(temp.File("instance.key"), "not a key", TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => IdentityHarness.StartAsync(temp.Path));

        Assert.Contains("not a valid Ed25519 private key", error.Message, StringComparison.Ordinal);
    }
}
