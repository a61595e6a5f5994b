using DvcSync.Standalone.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace DvcSync.UnitTests.Standalone;

public class ApiKeysTests
{
    private static ApiKeys Keys(params (string Key, string Value)[] settings) =>
        ApiKeys.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void No_keys_configured_accepts_nothing()
    {
        var keys = Keys();
        Assert.False(keys.Accepts("anything-at-all-long", KeyLevel.Read));
        Assert.False(keys.Accepts("", KeyLevel.Read));
        Assert.False(keys.Accepts(null, KeyLevel.Admin));
    }

    [Fact]
    public void Read_keys_read_admin_keys_read_and_write()
    {
        var keys = Keys(("Api:Keys", "read-key-0123456789;other-read-key-0123"), ("Api:AdminKeys:0", "admin-key-0123456789"));
        Assert.True(keys.Accepts("read-key-0123456789", KeyLevel.Read));
        Assert.True(keys.Accepts("other-read-key-0123", KeyLevel.Read));
        Assert.False(keys.Accepts("read-key-0123456789", KeyLevel.Admin));
        Assert.True(keys.Accepts("admin-key-0123456789", KeyLevel.Read));
        Assert.True(keys.Accepts("admin-key-0123456789", KeyLevel.Admin));
        Assert.False(keys.Accepts("read-key-012345678", KeyLevel.Read));
    }

    [Fact]
    public void A_short_key_is_a_configuration_error_naming_the_key()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Keys(("Api:AdminKeys", "short")));
        Assert.Contains("Api:AdminKeys", error.Message);
    }

    [Theory]
    [InlineData("?from=2025-01-01&code=secret-key&to=2025-01-31", "?from=2025-01-01&code=REDACTED&to=2025-01-31")]
    [InlineData("?CODE=secret", "?code=REDACTED")]
    [InlineData("", "")]
    public void The_request_log_redacts_keys_in_the_query(string query, string logged) =>
        Assert.Equal(logged, RedactingRequestLog.Redact(new QueryString(query.Length == 0 ? null : query)));
}
