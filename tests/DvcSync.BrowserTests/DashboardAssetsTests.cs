using System.Net;
using System.Net.Http.Headers;
using DvcSync.BrowserTests.Infrastructure;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.BrowserTests;

/// <summary>The page's files as the standalone host serves them: without a key, with their types, a strict policy and validators.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardAssetsTests(DashboardFixture fixture)
{
    [Theory]
    [InlineData("/api/dashboard", "text/html")]
    [InlineData("/api/dashboard/", "text/html")]
    [InlineData("/api/dashboard/index.html", "text/html")]
    [InlineData("/api/dashboard/app.js", "text/javascript")]
    [InlineData("/api/dashboard/scorecard.js", "text/javascript")]
    [InlineData("/api/dashboard/csv.js", "text/javascript")]
    [InlineData("/api/dashboard/app.css", "text/css")]
    [InlineData("/api/dashboard/favicon.svg", "image/svg+xml")]
    public async Task Each_file_is_served_without_a_key_with_its_type_and_a_self_only_policy(string path, string mediaType)
    {
        using var response = await fixture.Env.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("connect-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(response.Headers.CacheControl!.NoCache);
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task Every_file_of_the_page_folder_is_embedded_and_served_as_it_is()
    {
        var folder = RepositoryRoot.Combine("src", "DvcSync.Api", "Dashboard", "wwwroot");
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var name = Path.GetRelativePath(folder, file).Replace('\\', '/');
            Assert.Equal(await File.ReadAllBytesAsync(file), await fixture.Env.Http.GetByteArrayAsync("/api/dashboard/" + name));
        }
    }

    [Fact]
    public async Task An_unchanged_file_is_answered_304_by_its_etag()
    {
        using var first = await fixture.Env.Http.GetAsync("/api/dashboard/app.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/dashboard/app.js");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await fixture.Env.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Theory]
    [InlineData("/api/dashboard/missing.js")]
    [InlineData("/api/dashboard/..%2Fappsettings.json")]
    [InlineData("/api/dashboard/DvcSync.Application.dll")]
    public async Task Anything_else_is_404(string path)
    {
        using var response = await fixture.Env.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_page_refers_to_nothing_outside_the_app()
    {
        foreach (var file in new[] { "index.html", "app.css" })
        {
            var text = await fixture.Env.Http.GetStringAsync("/api/dashboard/" + file);
            Assert.DoesNotContain("http:", text);
            Assert.DoesNotContain("https:", text);
            Assert.DoesNotContain("//cdn", text);
        }
        // The scripts' only absolute address is the SVG namespace, which is a name, not a request.
        var addresses = new List<string>();
        foreach (var file in new[] { "app.js", "scorecard.js", "csv.js" })
        {
            var script = await fixture.Env.Http.GetStringAsync("/api/dashboard/" + file);
            addresses.AddRange(System.Text.RegularExpressions.Regex.Matches(script, @"https?://[^'""\s]+").Select(m => m.Value));
        }
        Assert.Equal(["http://www.w3.org/2000/svg"], addresses.Distinct());
    }
}
