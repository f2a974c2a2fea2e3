using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using GreyOS.Client;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests.Uploads;

/// <summary>Resumable uploads over HTTP (<c>/api/v1/fs/uploads</c>) and the garbage collector's endpoint, on a real node.</summary>
public sealed class UploadApiTests
{
    private const string BobPassword = "bob-password-staple-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upload_InParts_OffsetsAdvanceAndFileWrittenAtLastByte()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, Ct);
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        var content = Bytes(300_000, seed: 1);

        var created = await CreateAsync(admin, "/home/admin/big.bin", content.Length);
        var upload = (await created.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.UploadResponse, Ct))!;
        var first = await PatchAsync(admin, upload.Id, 0, content.AsMemory(0, 100_000));
        using var head = new HttpRequestMessage(HttpMethod.Head, upload.Url);
        var offset = await admin.SendAsync(head, Ct);
        var before = await admin.GetAsync("/api/v1/fs/stat/home/admin/big.bin", Ct);
        var last = await PatchAsync(admin, upload.Id, 100_000, content.AsMemory(100_000));
        var done = (await last.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.UploadResponse, Ct))!;
        var after = await admin.GetFromJsonAsync(upload.Url, ProtocolJsonContext.Default.UploadResponse, Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(upload.Url, created.Headers.Location?.ToString());
        Assert.Equal("0", Header(created, "Upload-Offset"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("100000", Header(first, "Upload-Offset"));
        Assert.Equal(HttpStatusCode.NoContent, offset.StatusCode);
        Assert.Equal(("100000", "300000", "?0"), (Header(offset, "Upload-Offset"), Header(offset, "Upload-Length"), Header(offset, "Upload-Complete")));
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode); // nothing is visible before the last byte
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.True(done.Complete);
        Assert.Equal((300_000L, "/home/admin/big.bin"), (done.File!.Length, done.File.Path));
        Assert.Equal(done.File.ETag, last.Headers.ETag?.ToString());
        Assert.True(after!.Complete);
        Assert.Equal(content, await admin.GetByteArrayAsync("/api/v1/fs/files/home/admin/big.bin", Ct));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(node.DataDirectory, "uploads")));
    }

    [Fact]
    public async Task Append_WrongOffset_409WithCurrentOffset_TooLong_413_NothingKept()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, Ct);
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        var upload = await CreateUploadAsync(admin, "/home/admin/f.bin", 1000);
        await PatchAsync(admin, upload.Id, 0, Bytes(400, seed: 2));

        var behind = await PatchAsync(admin, upload.Id, 0, Bytes(400, seed: 2));
        var ahead = await PatchAsync(admin, upload.Id, 800, Bytes(200, seed: 2));
        var tooLong = await PatchAsync(admin, upload.Id, 400, Bytes(601, seed: 3));
        var tooBig = await CreateAsync(admin, "/home/admin/huge.bin", (4L * 1024 * 1024 * 1024) + 1);
        using var noOffset = new HttpRequestMessage(HttpMethod.Patch, upload.Url) { Content = new ByteArrayContent(new byte[10]) };
        var missing = await admin.SendAsync(noOffset, Ct);
        var state = await admin.GetFromJsonAsync(upload.Url, ProtocolJsonContext.Default.UploadResponse, Ct);

        using var body = System.Text.Json.JsonDocument.Parse(await behind.Content.ReadAsStringAsync(Ct));
        await ProblemAssert.IsProblemAsync(behind, HttpStatusCode.Conflict, "upload_offset_mismatch");
        Assert.Equal("400", Header(behind, "Upload-Offset"));
        Assert.Equal((400, 0), (body.RootElement.GetProperty("expectedOffset").GetInt64(), body.RootElement.GetProperty("providedOffset").GetInt64()));
        await ProblemAssert.IsProblemAsync(ahead, HttpStatusCode.Conflict, "upload_offset_mismatch");
        await ProblemAssert.IsProblemAsync(tooLong, HttpStatusCode.RequestEntityTooLarge, "content_too_large");
        await ProblemAssert.IsProblemAsync(tooBig, HttpStatusCode.RequestEntityTooLarge, "content_too_large");
        await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal((400L, false), (state!.Offset, state.Complete));
    }

    [Fact]
    public async Task Cancel_DropsUploadAndStagedBytes_OtherUser_404Everywhere()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, Ct);
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        using var bob = await BobAsync(node, admin);
        var upload = await CreateUploadAsync(admin, "/home/admin/c.bin", 1000);
        await PatchAsync(admin, upload.Id, 0, Bytes(500, seed: 4));

        var bobGet = await bob.GetAsync(upload.Url, Ct);
        var bobPatch = await PatchAsync(bob, upload.Id, 500, Bytes(500, seed: 4));
        var bobDelete = await bob.DeleteAsync(upload.Url, Ct);
        var bobList = await bob.GetFromJsonAsync("/api/v1/fs/uploads", ProtocolJsonContext.Default.UploadListResponse, Ct);
        var adminList = await admin.GetFromJsonAsync("/api/v1/fs/uploads", ProtocolJsonContext.Default.UploadListResponse, Ct);
        var staged = File.Exists(Path.Combine(node.DataDirectory, "uploads", upload.Id));
        var cancel = await admin.DeleteAsync(upload.Url, Ct);
        var afterCancel = await admin.GetAsync(upload.Url, Ct);

        await ProblemAssert.IsProblemAsync(bobGet, HttpStatusCode.NotFound, "upload_not_found");
        await ProblemAssert.IsProblemAsync(bobPatch, HttpStatusCode.NotFound, "upload_not_found");
        await ProblemAssert.IsProblemAsync(bobDelete, HttpStatusCode.NotFound, "upload_not_found");
        Assert.Empty(bobList!.Uploads);
        Assert.Equal(upload.Id, Assert.Single(adminList!.Uploads).Id);
        Assert.True(staged);
        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        await ProblemAssert.IsProblemAsync(afterCancel, HttpStatusCode.NotFound, "upload_not_found");
        Assert.False(File.Exists(Path.Combine(node.DataDirectory, "uploads", upload.Id)));
    }

    [Fact]
    public async Task Expired_404AndSweptWithItsStagingFile()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions
        {
            AdminPassword = TestNode.DefaultAdminPassword,
            Environment = { ["GREYOS__FileSystem__Uploads__Expiry"] = "00:00:02", ["GREYOS__FileSystem__Uploads__SweepInterval"] = "00:00:00.500" },
        }, Ct);
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        var upload = await CreateUploadAsync(admin, "/home/admin/e.bin", 1000);
        await PatchAsync(admin, upload.Id, 0, Bytes(10, seed: 5));
        var staging = Path.Combine(node.DataDirectory, "uploads", upload.Id);
        var stagedBefore = File.Exists(staging);

        await Task.Delay(TimeSpan.FromSeconds(3.5), Ct);
        var get = await admin.GetAsync(upload.Url, Ct);

        Assert.True(stagedBefore);
        await ProblemAssert.IsProblemAsync(get, HttpStatusCode.NotFound, "upload_not_found");
        Assert.False(File.Exists(staging), "the sweeper left the staging file of an expired upload");
    }

    [Fact]
    public async Task Preconditions_CheckedAtCreateAndAgainAtCommit()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, Ct);
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        var v1 = await admin.PutAsync("/api/v1/fs/files/home/admin/doc.bin", new ByteArrayContent(Bytes(10, seed: 6)), Ct);
        var etag = v1.Headers.ETag!.ToString();

        var createOnlyExisting = await CreateAsync(admin, "/home/admin/doc.bin", 100, createOnly: true);
        var staleAtCreate = await CreateAsync(admin, "/home/admin/doc.bin", 100, ifMatch: "\"0000\"");
        var noParent = await CreateAsync(admin, "/home/admin/missing/doc.bin", 100);
        var upload = await CreateUploadAsync(admin, "/home/admin/doc.bin", 100, ifMatch: etag);
        await admin.PutAsync("/api/v1/fs/files/home/admin/doc.bin", new ByteArrayContent(Bytes(20, seed: 7)), Ct); // someone else changes it
        var commit = await PatchAsync(admin, upload.Id, 0, Bytes(100, seed: 8));
        var state = await admin.GetFromJsonAsync(upload.Url, ProtocolJsonContext.Default.UploadResponse, Ct);
        var complete = await admin.PostAsync($"{upload.Url}/complete", null, Ct);

        await ProblemAssert.IsProblemAsync(createOnlyExisting, HttpStatusCode.Conflict, "file_exists");
        await ProblemAssert.IsProblemAsync(staleAtCreate, HttpStatusCode.PreconditionFailed, "etag_mismatch");
        await ProblemAssert.IsProblemAsync(noParent, HttpStatusCode.NotFound, "file_not_found");
        await ProblemAssert.IsProblemAsync(commit, HttpStatusCode.PreconditionFailed, "etag_mismatch");
        Assert.Equal((100L, false), (state!.Offset, state.Complete)); // the bytes stay; the file was not replaced
        await ProblemAssert.IsProblemAsync(complete, HttpStatusCode.PreconditionFailed, "etag_mismatch");
        Assert.Equal(Bytes(20, seed: 7), await admin.GetByteArrayAsync("/api/v1/fs/files/home/admin/doc.bin", Ct));
    }

    [Fact]
    public async Task AccessAndLimits_ForbiddenPath403_TooManyOpen429_CompleteEarly409()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions
        {
            AdminPassword = TestNode.DefaultAdminPassword,
            Environment = { ["GREYOS__FileSystem__Uploads__MaxOpenPerUser"] = "2" },
        }, Ct);
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        using var bob = await BobAsync(node, admin);

        var intoAdminsHome = await CreateAsync(bob, "/home/admin/x.bin", 10);
        var first = await CreateUploadAsync(bob, "/home/bob/1.bin", 10);
        await CreateUploadAsync(bob, "/home/bob/2.bin", 10);
        var third = await CreateAsync(bob, "/home/bob/3.bin", 10);
        var early = await bob.PostAsync($"{first.Url}/complete", null, Ct);
        await bob.DeleteAsync(first.Url, Ct);
        var afterCancel = await CreateAsync(bob, "/home/bob/3.bin", 10);
        var adminStillMay = await CreateAsync(admin, "/home/admin/a.bin", 10);

        await ProblemAssert.IsProblemAsync(intoAdminsHome, HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.IsProblemAsync(third, HttpStatusCode.TooManyRequests, "too_many_uploads");
        await ProblemAssert.IsProblemAsync(early, HttpStatusCode.Conflict, "upload_incomplete");
        Assert.Equal(HttpStatusCode.Created, afterCancel.StatusCode);
        Assert.Equal(HttpStatusCode.Created, adminStillMay.StatusCode);
    }

    [Fact]
    public async Task Client_ConnectionBreaksMidPart_ResumesFromNodeOffset_ContentExact()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, Ct);
        var (admin, credential) = await node.LoginDeviceAsync(cancellationToken: Ct);
        using var _ = admin;
        var cutter = new CuttingHandler(cutAfterBytes: 100_000, cuts: 2);
        using var http = new HttpClient(cutter) { BaseAddress = node.BaseAddress };
        var client = new GreyOSClient(http) { Credential = credential };
        var content = Bytes((1024 * 1024) + 123, seed: 9);
        var positions = new List<long>();

        var entry = await client.UploadResumableAsync(
            "/home/admin/resumed.bin",
            new MemoryStream(content),
            content.Length,
            new ResumableUploadOptions { PartBytes = 256 * 1024, RetryDelay = TimeSpan.FromMilliseconds(50), Progress = new SyncProgress(positions) },
            Ct);

        Assert.Equal(2, cutter.Cut);
        Assert.True(cutter.Patches >= 5 + 2, $"{cutter.Patches} parts sent");
        Assert.Equal(content.Length, entry.Length);
        Assert.Equal(content.Length, positions[^1]);
        Assert.Equal(content, await admin.GetByteArrayAsync("/api/v1/fs/files/home/admin/resumed.bin", Ct));
    }

    [Fact]
    public async Task Gc_Admin_AnswersCounts_SweepsOnlyUnreferenced()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions
        {
            AdminPassword = TestNode.DefaultAdminPassword,
            Environment = { ["GREYOS__FileSystem__GcGracePeriod"] = "00:00:00" },
        }, Ct);
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        var kept = Bytes(200_000, seed: 10);
        await admin.PutAsync("/api/v1/fs/files/home/admin/kept.bin", new ByteArrayContent(kept), Ct);
        await admin.PutAsync("/api/v1/fs/files/home/admin/gone.bin", new ByteArrayContent(Bytes(300_000, seed: 11)), Ct);
        await admin.PutAsync("/api/v1/fs/files/home/admin/gone.bin", new ByteArrayContent(Bytes(10, seed: 12)), Ct); // now inline: the old chunk is unreferenced (unless a version keeps it)

        var response = await admin.PostAsync("/api/v1/fs/gc", null, Ct);
        var report = (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ContentGcResponse, Ct))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(report.Scanned >= 1 && report.Marked >= 1, $"{report}");
        Assert.Equal(report.Scanned, report.Marked + report.Swept + report.KeptByGrace);
        Assert.Equal(kept, await admin.GetByteArrayAsync("/api/v1/fs/files/home/admin/kept.bin", Ct));
    }

    internal static async Task<HttpResponseMessage> CreateAsync(HttpClient http, string path, long length, string? ifMatch = null, bool createOnly = false) =>
        await http.PostAsJsonAsync("/api/v1/fs/uploads", new CreateUploadRequest(path, length, ifMatch, createOnly), ProtocolJsonContext.Default.CreateUploadRequest, Ct);

    internal static async Task<UploadResponse> CreateUploadAsync(HttpClient http, string path, long length, string? ifMatch = null)
    {
        var created = await CreateAsync(http, path, length, ifMatch);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        return (await created.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.UploadResponse, Ct))!;
    }

    internal static async Task<HttpResponseMessage> PatchAsync(HttpClient http, string id, long offset, ReadOnlyMemory<byte> part)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/fs/uploads/{id}") { Content = new ByteArrayContent(part.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/partial-upload");
        request.Headers.Add("Upload-Offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await http.SendAsync(request, Ct);
    }

    internal static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    private static async Task<HttpClient> BobAsync(TestNode node, HttpClient admin)
    {
        var created = await admin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest("bob", Password: BobPassword, Roles: ["user"]), ProtocolJsonContext.Default.CreateUserRequest, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return await node.LoginAsync("bob", BobPassword, Ct);
    }

    private sealed class SyncProgress(List<long> positions) : IProgress<long>
    {
        public void Report(long value) => positions.Add(value);
    }

    /// <summary>Breaks the connection of the first <c>cuts</c> parts after <c>cutAfterBytes</c> of their body, like a flaky network.</summary>
    private sealed class CuttingHandler(int cutAfterBytes, int cuts) : DelegatingHandler(new SocketsHttpHandler())
    {
        public int Cut { get; private set; }

        public int Patches { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Patch)
            {
                Patches++;
                if (Cut < cuts && request.Content is { } original && original.Headers.ContentLength > cutAfterBytes)
                {
                    Cut++;
                    var cutting = new CutContent(original, cutAfterBytes);
                    foreach (var header in original.Headers)
                    {
                        cutting.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    }

                    request.Content = cutting;
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class CutContent(HttpContent original, int cutAfter) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var body = await original.ReadAsStreamAsync();
            var buffer = new byte[cutAfter];
            var read = 0;
            while (read < cutAfter)
            {
                var n = await body.ReadAsync(buffer.AsMemory(read));
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            await stream.WriteAsync(buffer.AsMemory(0, read));
            await stream.FlushAsync();
            throw new IOException("the network went away (test)");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = original.Headers.ContentLength ?? 0;
            return true;
        }
    }
}
