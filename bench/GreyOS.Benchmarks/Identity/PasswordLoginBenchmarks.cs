using BenchmarkDotNet.Attributes;
using GreyOS.Benchmarks.Kernel;
using GreyOS.Client.Srp;
using GreyOS.Identity.Passwords;

namespace GreyOS.Benchmarks.Identity;

/// <summary>
/// Issue #5: the cost of a password login against Argon2id's tuned target (m = 19 MiB, t = 2, p = 1:
/// OWASP's minimum for Argon2id). <see cref="Argon2idVerify"/> (baseline) is the hash check alone;
/// <see cref="PasswordLogin"/> the whole login (back-off check, user lookup, Argon2id, session,
/// audit, usage profile); <see cref="SrpLogin"/> a zero-knowledge SRP-6a login, client and server
/// work together (3072-bit group, SHA-256).
/// </summary>
[Config(typeof(KernelSingleShotConfig))]
public class PasswordLoginBenchmarks
{
    private IdentityNode _node = null!;
    private string _hash = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        NodePriority.Reset();
        _node = await IdentityNode.StartAsync().ConfigureAwait(false);
        _hash = PasswordHasher.Hash(IdentityNode.Password);
    }

    [GlobalCleanup]
    public async Task CleanUpAsync() => await _node.DisposeAsync().ConfigureAwait(false);

    [Benchmark(Baseline = true)]
    public bool Argon2idVerify() => PasswordHasher.Verify(IdentityNode.Password, _hash) ? true : throw new InvalidOperationException("wrong hash");

    [Benchmark]
    public async Task<string> PasswordLogin()
    {
        var login = await _node.Sessions.LoginWithPasswordAsync("admin", IdentityNode.Password, null, IdentityNode.Client, CancellationToken.None).ConfigureAwait(false);
        return login.IsSuccess ? login.Value.Principal.SessionId : throw new InvalidOperationException(login.Error.Message);
    }

    [Benchmark]
    public async Task<string> SrpLogin()
    {
        var start = (await _node.Sessions.StartSrpAsync("admin", CancellationToken.None).ConfigureAwait(false)).Value;
        var client = SrpClient.Respond("admin", IdentityNode.Password, start.Salt, start.ServerPublic)!;
        var finish = await _node.Sessions.FinishSrpAsync(start.SrpId, client.A, client.M1, null, IdentityNode.Client, CancellationToken.None).ConfigureAwait(false);
        return finish.IsSuccess && client.TryVerifyServer(finish.Value.ServerProof, out _)
            ? finish.Value.Login.Principal.SessionId
            : throw new InvalidOperationException("SRP login failed");
    }
}
