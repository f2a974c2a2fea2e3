using System.Net;
using System.Net.Http.Json;
using GreyOS.Protocol;

namespace GreyOS.Server.IntegrationTests.Dav;

/// <summary>Who may use /dav: HTTP Basic with the password or an app password; app passwords never work on the API.</summary>
public sealed class DavAuthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NoOrMalformedCredentials_401WithBasicChallenge()
    {
        await using var dav = await DavNode.StartAsync();
        using var malformed = new HttpClient { BaseAddress = dav.Node.BaseAddress };
        malformed.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Basic !!!not-base64");

        var none = await dav.Node.Http.PropfindAsync("/dav/", "0");
        var bad = await malformed.PropfindAsync("/dav/", "0");

        foreach (var response in new[] { none, bad })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Basic realm=\"GreyOS\", charset=\"UTF-8\"", response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task WrongPassword_401ThenThrottled429_EvenForTheRightPasswordNotVerifiedBefore()
    {
        await using var dav = await DavNode.StartAsync();
        using var wrong = dav.Basic("bob", "not-bobs-password");

        var failures = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            failures.Add((await wrong.PropfindAsync("/dav/home/bob/", "0")).StatusCode);
        }

        using var fresh = dav.Basic("Bob", DavNode.BobPassword);
        var throttled = await fresh.PropfindAsync("/dav/home/bob/", "0");

        Assert.Equal(HttpStatusCode.Unauthorized, failures[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, failures);
        await ProblemAssert.IsProblemAsync(throttled, HttpStatusCode.TooManyRequests, "login_throttled");
        Assert.NotNull(throttled.Headers.RetryAfter);
    }

    [Fact]
    public async Task AppPassword_WorksOnDav_RefusedOnApi_401AfterRevocation()
    {
        await using var dav = await DavNode.StartAsync();
        using var aliceApi = await dav.Node.LoginAsync("alice", DavNode.AlicePassword, Ct);

        var create = await aliceApi.PostAsJsonAsync("/api/v1/app-passwords", new CreateAppPasswordRequest("laptop davfs2"), ProtocolJsonContext.Default.CreateAppPasswordRequest, Ct);
        var created = await create.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.CreatedAppPasswordResponse, Ct);
        using var laptop = dav.Basic("alice", created!.Secret);
        var put = await laptop.PutTextAsync("/dav/home/alice/from-laptop.txt", "hello");
        var api = await laptop.GetAsync("/api/v1/users/me", Ct);
        var listed = await aliceApi.GetFromJsonAsync("/api/v1/app-passwords", ProtocolJsonContext.Default.AppPasswordListResponse, Ct);
        var revoke = await aliceApi.DeleteAsync($"/api/v1/app-passwords/{created.AppPassword.Id}", Ct);
        var afterRevoke = await laptop.GetAsync("/dav/home/alice/from-laptop.txt", Ct);
        using var bobWithAlicesSecret = dav.Basic("bob", created.Secret);
        var wrongUser = await bobWithAlicesSecret.PropfindAsync("/dav/home/bob/", "0");

        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Matches("^[a-z2-9]{4}(-[a-z2-9]{4}){7}$", created.Secret);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        var item = Assert.Single(listed!.AppPasswords);
        Assert.Equal(("laptop davfs2", created.AppPassword.Id), (item.Label, item.Id));
        Assert.NotNull(item.LastUsedAt);
        Assert.DoesNotContain(created.Secret, await (await aliceApi.GetAsync("/api/v1/app-passwords", Ct)).Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongUser.StatusCode);
    }

    [Fact]
    public async Task AppPasswordCreation_StaleSession_403StepUpRequired()
    {
        await using var dav = await DavNode.StartAsync(environment: new Dictionary<string, string?> { ["GREYOS__Identity__StepUpWindow"] = "00:00:00" });
        using var aliceApi = await dav.Node.LoginAsync("alice", DavNode.AlicePassword, Ct);

        var create = await aliceApi.PostAsJsonAsync("/api/v1/app-passwords", new CreateAppPasswordRequest("phone"), ProtocolJsonContext.Default.CreateAppPasswordRequest, Ct);

        await ProblemAssert.IsProblemAsync(create, HttpStatusCode.Forbidden, "step_up_required");
        Assert.Empty((await aliceApi.GetFromJsonAsync("/api/v1/app-passwords", ProtocolJsonContext.Default.AppPasswordListResponse, Ct))!.AppPasswords);
    }

    [Fact]
    public async Task AccountPassword_ChangedPassword_OldOneRefusedAtOnce()
    {
        await using var dav = await DavNode.StartAsync();
        using var old = dav.Alice();
        var before = await old.PropfindAsync("/dav/home/alice/", "0");
        var cached = await old.PropfindAsync("/dav/home/alice/", "0");

        var changed = await dav.Admin.PutAsJsonAsync("/api/v1/users/alice/password", new SetPasswordRequest("alice-new-password"), ProtocolJsonContext.Default.SetPasswordRequest, Ct);
        var after = await old.PropfindAsync("/dav/home/alice/", "0");
        using var renewed = dav.Basic("alice", "alice-new-password");
        var withNew = await renewed.PropfindAsync("/dav/home/alice/", "0");

        Assert.Equal(HttpStatusCode.MultiStatus, before.StatusCode);
        Assert.Equal(HttpStatusCode.MultiStatus, cached.StatusCode);
        Assert.True(changed.IsSuccessStatusCode, $"{(int)changed.StatusCode}");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(HttpStatusCode.MultiStatus, withNew.StatusCode);
    }

    [Fact]
    public async Task DisabledUser_AppPasswordRevoked()
    {
        await using var dav = await DavNode.StartAsync();
        using var aliceApi = await dav.Node.LoginAsync("alice", DavNode.AlicePassword, Ct);
        var created = await (await aliceApi.PostAsJsonAsync("/api/v1/app-passwords", new CreateAppPasswordRequest("nas"), ProtocolJsonContext.Default.CreateAppPasswordRequest, Ct))
            .Content.ReadFromJsonAsync(ProtocolJsonContext.Default.CreatedAppPasswordResponse, Ct);
        using var nas = dav.Basic("alice", created!.Secret);
        var before = await nas.PropfindAsync("/dav/home/alice/", "0");

        var disabled = await dav.Admin.PatchAsJsonAsync("/api/v1/users/alice", new UpdateUserRequest(Status: "disabled"), ProtocolJsonContext.Default.UpdateUserRequest, Ct);
        await dav.Admin.PatchAsJsonAsync("/api/v1/users/alice", new UpdateUserRequest(Status: "active"), ProtocolJsonContext.Default.UpdateUserRequest, Ct);
        var after = await nas.PropfindAsync("/dav/home/alice/", "0");

        Assert.Equal(HttpStatusCode.MultiStatus, before.StatusCode);
        Assert.True(disabled.IsSuccessStatusCode, $"{(int)disabled.StatusCode}");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task SignedSession_MayReadButNotWrite()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.PutTextAsync("/dav/home/alice/s.txt", "signed");
        using var signed = await dav.Node.LoginAsync("alice", DavNode.AlicePassword, Ct);

        var read = await signed.GetAsync("/dav/home/alice/s.txt", Ct);
        var write = await signed.PutTextAsync("/dav/home/alice/s.txt", "nope");

        Assert.Equal("signed", await read.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
    }

    [Fact]
    public async Task FailedBasicAttempts_LimitedPerAddress_EvenAcrossManyNames()
    {
        await using var dav = await DavNode.StartAsync(environment: new Dictionary<string, string?> { ["GREYOS__CredentialRequestsPerMinute"] = "6" });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var spray = dav.Basic($"someone-{i}", "guess");
            statuses.Add((await spray.SendAsync(new HttpRequestMessage(new HttpMethod("PROPFIND"), "/dav/shared") { Headers = { { "Depth", "0" } } }, Ct)).StatusCode);
        }

        using var alice = dav.Alice();
        var afterSpray = await alice.SendAsync(new HttpRequestMessage(new HttpMethod("PROPFIND"), "/dav/shared") { Headers = { { "Depth", "0" } } }, Ct);

        Assert.True(statuses.All(s => s == HttpStatusCode.Unauthorized), string.Join(",", statuses) + " then " + afterSpray.StatusCode + " " + await afterSpray.Content.ReadAsStringAsync(Ct));
        await ProblemAssert.IsProblemAsync(afterSpray, HttpStatusCode.TooManyRequests, "rate_limited"); // nothing is checked until tokens come back
        Assert.NotNull(afterSpray.Headers.RetryAfter);
    }
}
