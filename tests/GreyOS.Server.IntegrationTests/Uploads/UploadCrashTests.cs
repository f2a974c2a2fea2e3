using System.Net;
using System.Net.Http.Json;
using GreyOS.Client;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests.Uploads;

/// <summary>An acknowledged part of a resumable upload survives <c>kill -9</c> of a real node process; the upload completes after the restart.</summary>
public sealed class UploadCrashTests
{
    private const string Password = "upload-crash-password-1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AcknowledgedPart_NodeKilledHard_OffsetSurvivesAndUploadCompletes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("greyos-upload-crash");
        var key = DeviceCredential.Generate();
        var content = UploadApiTests.Bytes((5 * 1024 * 1024) + 77, seed: 42);
        const int acknowledged = (3 * 1024 * 1024) + 5;
        string url;

        using (var node = NodeProcess.Start(["--urls", "http://127.0.0.1:0", "--data", data.Path], new Dictionary<string, string?> { ["GREYOS_ADMIN_PASSWORD"] = Password }))
        {
            var address = await node.WaitUntilListeningAsync(Timeout);
            using var plain = new HttpClient { BaseAddress = address };
            var (_, credential) = await new GreyOSClient(plain).LoginAsync("admin", Password, key, "upload-crash", ct);
            using var http = new HttpClient(new SigningHandler(credential)) { BaseAddress = address, Timeout = Timeout };
            var upload = await UploadApiTests.CreateUploadAsync(http, "/home/admin/survivor.bin", content.Length);
            url = upload.Url;
            var part = await UploadApiTests.PatchAsync(http, upload.Id, 0, content.AsMemory(0, acknowledged));
            Assert.Equal(HttpStatusCode.OK, part.StatusCode);

            // Bytes of a next part arrive but are never acknowledged: the kill comes first.
            _ = Task.Run(() => UploadApiTests.PatchAsync(http, upload.Id, acknowledged, content.AsMemory(acknowledged, 1024 * 1024)), CancellationToken.None);
            await Task.Delay(50, ct);
            node.KillHard();
            await node.WaitForExitAsync(Timeout);
        }

        using (var node = NodeProcess.Start(["--urls", "http://127.0.0.1:0", "--data", data.Path], new Dictionary<string, string?> { ["GREYOS_ADMIN_PASSWORD"] = Password }))
        {
            var address = await node.WaitUntilListeningAsync(Timeout);
            using var plain = new HttpClient { BaseAddress = address };
            var (_, credential) = await new GreyOSClient(plain).LoginWithKeyAsync(key, ct);
            using var http = new HttpClient(new SigningHandler(credential)) { BaseAddress = address, Timeout = Timeout };
            var state = (await http.GetFromJsonAsync(url, ProtocolJsonContext.Default.UploadResponse, ct))!;

            Assert.False(state.Complete);
            Assert.True(state.Offset >= acknowledged, $"the node holds {state.Offset} bytes after the crash, {acknowledged} were acknowledged");
            var rest = await UploadApiTests.PatchAsync(http, state.Id, state.Offset, content.AsMemory((int)state.Offset));
            var done = (await rest.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.UploadResponse, ct))!;

            Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
            Assert.True(done.Complete);
            Assert.Equal(content, await http.GetByteArrayAsync("/api/v1/fs/files/home/admin/survivor.bin", ct));
            node.Terminate();
            await node.WaitForExitAsync(Timeout);
        }
    }
}
