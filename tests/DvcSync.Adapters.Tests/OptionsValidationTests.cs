using DvcSync.Application.Telemetry;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.NationalPortal;
using DvcSync.Infrastructure.ProvincialSystem;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DvcSync.Adapters.Tests;

public sealed class OptionsValidationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNationalPortalClient(configuration);
        services.AddProvincialSystemClient(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Missing_national_portal_settings_are_named_by_key()
    {
        using var provider = Build(new() { ["NationalPortal:MaxRequestsPerSecond"] = "0", ["NationalPortal:BaseUrl"] = "ftp://portal" });
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NationalPortalOptions>>().Value);
        var messages = string.Join("\n", error.Failures);
        Assert.Contains("NationalPortal:BaseUrl must be an absolute https URL", messages);
        Assert.Contains("NationalPortal:Username", messages);
        Assert.Contains("NationalPortal:Password", messages);
        Assert.Contains("NationalPortal:DstCode", messages);
        Assert.Contains("NationalPortal:MaDonVi", messages);
        Assert.Contains("NationalPortal:MaxRequestsPerSecond", messages);
        Assert.DoesNotContain("NationalPortal:TimeoutSeconds", messages);
    }

    [Fact]
    public void Missing_provincial_settings_are_named_by_key()
    {
        using var provider = Build(new() { ["ProvincialSystem:TimeoutSeconds"] = "5000" });
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ProvincialSystemOptions>>().Value);
        var messages = string.Join("\n", error.Failures);
        Assert.Contains("ProvincialSystem:BaseUrl is required and must be an absolute https URL", messages);
        Assert.Contains("ProvincialSystem:ClientId", messages);
        Assert.Contains("ProvincialSystem:ClientSecret", messages);
        Assert.Contains("ProvincialSystem:TimeoutSeconds", messages);
    }

    [Theory]
    [InlineData("1000")]
    [InlineData("1073741824")]
    public void A_page_cap_outside_its_range_is_named(string value)
    {
        using var provider = Build(new() { ["ProvincialSystem:MaxPageBytes"] = value });
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ProvincialSystemOptions>>().Value);
        Assert.Contains(error.Failures, f => f.StartsWith($"ProvincialSystem:MaxPageBytes '{value}' must be a whole number from 65536 to 536870912", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_host_with_invalid_settings_does_not_start()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["NationalPortal:BaseUrl"] = "not a url" });
        builder.Services.AddNationalPortalClient(builder.Configuration);
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(error.Failures, f => f.StartsWith("NationalPortal:BaseUrl", StringComparison.Ordinal));
    }

    [Fact]
    public void Valid_settings_bind_with_defaults_and_never_show_secrets()
    {
        using var provider = Build(new()
        {
            ["NationalPortal:BaseUrl"] = "http://127.0.0.1:1/dvcqg/",
            ["NationalPortal:Username"] = "h19",
            ["NationalPortal:Password"] = "s3cret-pass",
            ["NationalPortal:DstCode"] = "DVCQG",
            ["NationalPortal:MaDonVi"] = "000.00.00.H19",
            ["ProvincialSystem:BaseUrl"] = "http://127.0.0.1:2",
            ["ProvincialSystem:ClientId"] = "sync",
            ["ProvincialSystem:ClientSecret"] = "s3cret-client",
        });
        var portal = provider.GetRequiredService<IOptions<NationalPortalOptions>>().Value;
        Assert.Equal(20, portal.MaxRequestsPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(30), portal.Timeout);
        Assert.Equal("http://127.0.0.1:1/dvcqg", portal.BaseUri.ToString().TrimEnd('/'));
        Assert.DoesNotContain("s3cret-pass", portal.ToString());

        var provincial = provider.GetRequiredService<IOptions<ProvincialSystemOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(30), provincial.Timeout);
        Assert.DoesNotContain("s3cret-client", provincial.ToString());

        Assert.IsType<NationalPortalClient>(provider.GetRequiredService<INationalPortal>());
        Assert.IsType<ProvincialSystemClient>(provider.GetRequiredService<IProvincialSystem>());
        Assert.Same(provider.GetRequiredService<SyncTelemetry>(), provider.GetRequiredService<SyncTelemetry>());
    }

    private static readonly Dictionary<string, string?> Complete = new()
    {
        ["NationalPortal:Username"] = "h19",
        ["NationalPortal:Password"] = "s3cret-pass",
        ["NationalPortal:DstCode"] = "DVCQG",
        ["NationalPortal:MaDonVi"] = "000.00.00.H19",
        ["ProvincialSystem:ClientId"] = "sync",
        ["ProvincialSystem:ClientSecret"] = "s3cret-client",
    };

    private static IReadOnlyList<string> BaseUrlFailures(string baseUrl)
    {
        using var provider = Build(new(Complete) { ["NationalPortal:BaseUrl"] = baseUrl, ["ProvincialSystem:BaseUrl"] = baseUrl });
        var failures = new List<string>();
        try { _ = provider.GetRequiredService<IOptions<NationalPortalOptions>>().Value; }
        catch (OptionsValidationException e) { failures.AddRange(e.Failures); }
        try { _ = provider.GetRequiredService<IOptions<ProvincialSystemOptions>>().Value; }
        catch (OptionsValidationException e) { failures.AddRange(e.Failures); }
        return failures;
    }

    [Theory]
    [InlineData("http://portal.example/adapter")]
    [InlineData("http://10.0.0.5:8080")]
    [InlineData("HTTP://203.0.113.7")]
    [InlineData("http://localhost.example.com")]
    [InlineData("http://128.0.0.1")]
    public void Plain_http_to_another_machine_stops_the_start_naming_both_keys(string baseUrl)
    {
        var failures = BaseUrlFailures(baseUrl);
        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("NationalPortal:BaseUrl uses plain http to a remote host", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ProvincialSystem:BaseUrl uses plain http to a remote host", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://portal.example/adapter")]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://127.42.0.9:5000/base")]
    [InlineData("http://localhost:7000")]
    [InlineData("http://[::1]:7000")]
    public void Https_anywhere_and_http_to_this_machine_are_accepted(string baseUrl) =>
        Assert.Empty(BaseUrlFailures(baseUrl));
}
