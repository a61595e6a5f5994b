using System.Collections;
using System.Reflection;
using System.Text;
using DvcSync.Standalone.Hosting;
using DvcSync.UnitTests.Application.Configuration;
using Microsoft.Extensions.Options;

namespace DvcSync.UnitTests.Standalone.Hosting;

public class ApiKeysTests
{
    private static ApiKeys Keys(params (string Key, string Value)[] settings) =>
        Settings.Resolve<ApiKeys>((services, configuration) => services.AddApiKeys(configuration), settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));

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

    [Theory]
    [InlineData("admin-key-0123456789-and-more")]
    [InlineData("admin-key-012345678")]
    [InlineData("admin-key-0123456789 ")]
    [InlineData("ADMIN-KEY-0123456789")]
    public void A_value_that_differs_from_every_key_in_length_or_content_is_refused(string presented)
    {
        var keys = Keys(("Api:AdminKeys", "admin-key-0123456789"));
        Assert.False(keys.Accepts(presented, KeyLevel.Read));
        Assert.False(keys.Accepts(presented, KeyLevel.Admin));
    }

    /// <summary>
    /// Comparing raw bytes of unequal lengths returns at once, so the time of a refusal tells an attacker the key's
    /// length. Only fixed-size digests may be compared, and only they may be kept.
    /// </summary>
    [Fact]
    public void Only_fixed_size_digests_of_the_keys_are_kept()
    {
        const string read = "read-key-0123456789";
        const string admin = "a-much-longer-admin-key-0123456789";
        var keys = Keys(("Api:Keys", read), ("Api:AdminKeys", admin));

        var held = new List<object>();
        Collect(keys, held, depth: 0);

        Assert.DoesNotContain(held, v => v is string s && (s.Contains(read, StringComparison.Ordinal) || s.Contains(admin, StringComparison.Ordinal)));
        var arrays = held.OfType<byte[]>().ToList();
        Assert.Equal(2, arrays.Count);
        Assert.All(arrays, a => Assert.Equal(32, a.Length));
        Assert.DoesNotContain(arrays, a => a.SequenceEqual(Encoding.UTF8.GetBytes(read)) || a.SequenceEqual(Encoding.UTF8.GetBytes(admin)));
    }

    private static void Collect(object? value, List<object> into, int depth)
    {
        if (value is null || depth > 4) return;
        switch (value)
        {
            case string or byte[]:
                into.Add(value);
                return;
            case IEnumerable items:
                foreach (var item in items) Collect(item, into, depth + 1);
                return;
        }
        if (value.GetType().IsPrimitive) return;
        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            Collect(field.GetValue(value), into, depth + 1);
    }

    [Fact]
    public void A_short_key_is_a_configuration_error_naming_the_key()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Keys(("Api:AdminKeys", "short")));
        Assert.Contains("Api:AdminKeys", error.Message);
    }
}
