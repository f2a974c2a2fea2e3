using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using GreyOS.Abstractions.Identity;
using GreyOS.Benchmarks.Kernel;
using GreyOS.Client;
using GreyOS.Protocol.Signatures;
using NSec.Cryptography;

namespace GreyOS.Benchmarks.Identity;

/// <summary>
/// Issue #5: signed-request verification ≤ 100 µs median. <see cref="NodeVerify"/> does what the
/// node does for a signed <c>GET /api/v1/auth/session</c> (minus the socket): parse
/// <c>Signature-Input</c> and <c>Signature</c> (RFC 8941), build the RFC 9421 signature base, then
/// <see cref="ISessionService.AuthenticateSignatureAsync"/> — clock window, session, user and device
/// from SQLite, permissions, Ed25519, replay cache. Every request is signed beforehand with its own
/// nonce (a nonce is single-use). Baseline: a bare Ed25519 verification of the same bytes.
/// </summary>
[Config(typeof(IdentityBatchConfig))]
public class SignedRequestBenchmarks
{
    public const int Batch = 1000;

    private static readonly Uri Target = new("http://127.0.0.1:5080/api/v1/auth/session");

    private readonly double[] _latencies = new double[Batch];
    private readonly List<double> _measured = [];
    private IdentityNode _node = null!;
    private (string Input, string Signature)[] _requests = [];
    private (byte[] Base, byte[] Signature)[] _raw = [];
    private PublicKey _publicKey = null!;
    private int _next;
    private int _iteration;
    private string _benchmark = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        NodePriority.Reset();
        _node = await IdentityNode.StartAsync().ConfigureAwait(false);
        var key = DeviceCredential.Generate();
        var login = await _node.Sessions.LoginWithPasswordAsync("admin", IdentityNode.Password, new DeviceRegistration("bench", key.Did), IdentityNode.Client, CancellationToken.None).ConfigureAwait(false);
        var credential = key.WithSession(login.Value.Principal.SessionId, login.Value.Device!.Id);
        _publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, credential.PublicKey.Span, KeyBlobFormat.RawPublicKey);

        var count = (IdentityBatchConfig.Warmups + IdentityBatchConfig.Iterations + 2) * Batch;
        _requests = new (string, string)[count];
        _raw = new (byte[], byte[])[count];
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Target);
            await RequestSigner.SignAsync(request, credential).ConfigureAwait(false);
            _requests[i] = (request.Headers.GetValues(HttpSignatures.SignatureInputHeaderName).Single(), request.Headers.GetValues(HttpSignatures.SignatureHeaderName).Single());
            var message = Encoding.UTF8.GetBytes($"bench {i}");
            _raw[i] = (message, credential.Sign(message));
        }

        // One request through the whole path before timing: it must be accepted.
        if (!(await VerifyAsync(_requests[^1]).ConfigureAwait(false)))
        {
            throw new InvalidOperationException("the node refused a correctly signed request");
        }
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        var sorted = _measured.Order().ToArray();
        if (sorted.Length > 0 && _benchmark is not null)
        {
            RecordedValues.Record(_benchmark, "P50Us", sorted[sorted.Length / 2]);
            RecordedValues.Record(_benchmark, "P99Us", sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]);
        }

        await _node.DisposeAsync().ConfigureAwait(false);
    }

    [IterationCleanup]
    public void KeepIteration()
    {
        if (++_iteration > IdentityBatchConfig.Warmups)
        {
            _measured.AddRange(_latencies);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int RawEd25519Verify()
    {
        _benchmark ??= RecordedValues.Name(typeof(SignedRequestBenchmarks), nameof(RawEd25519Verify));
        var valid = 0;
        for (var i = 0; i < Batch; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var (message, signature) = _raw[_next++];
            valid += SignatureAlgorithm.Ed25519.Verify(_publicKey, message, signature) ? 1 : 0;
            _latencies[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }

        return valid == Batch ? valid : throw new InvalidOperationException("a signature did not verify");
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public async Task<int> NodeVerify()
    {
        _benchmark ??= RecordedValues.Name(typeof(SignedRequestBenchmarks), nameof(NodeVerify));
        for (var i = 0; i < Batch; i++)
        {
            var started = Stopwatch.GetTimestamp();
            if (!await VerifyAsync(_requests[_next++]).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"request {_next - 1} was refused");
            }

            _latencies[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }

        return Batch;
    }

    private async Task<bool> VerifyAsync((string Input, string Signature) headers)
    {
        if (!HttpSignatures.TryParseSignatureInput(headers.Input, out var inputs, out _)
            || !HttpSignatures.TryParseSignature(headers.Signature, out var signatures, out _)
            || !inputs.TryGetValue(RequestSigner.Label, out var parameters)
            || !signatures.TryGetValue(RequestSigner.Label, out var signature)
            || !SignatureRequest.TryCreate("GET", Target.Scheme, Target.Authority, Target.PathAndQuery, [], out var request, out _)
            || !HttpSignatures.TryBuildSignatureBase(request, parameters, out var signatureBase, out _))
        {
            return false;
        }

        var result = await _node.Sessions.AuthenticateSignatureAsync(
            new SignedRequest(parameters.KeyId!, Encoding.UTF8.GetBytes(signatureBase), signature, parameters.Created, parameters.Nonce!),
            IdentityNode.Client,
            CancellationToken.None).ConfigureAwait(false);
        return result.IsSuccess;
    }
}
