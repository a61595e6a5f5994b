using DvcSync.Application.Configuration;
using Microsoft.Extensions.Options;

namespace DvcSync.UnitTests.Application.Configuration;

public class SyncOptionsTests
{
    private static SyncOptions Read(params (string Key, string Value)[] settings) =>
        Settings.Sync(settings.ToDictionary(s => s.Key, s => (string?)s.Value));

    [Fact]
    public void Unset_keys_take_the_documented_defaults()
    {
        var options = Read();
        Assert.Equal("*/15 * * * * *", options.ReconcileSchedule);
        Assert.Equal("30 * * * * *", options.AuditSchedule);
        Assert.Equal(TimeSpan.FromSeconds(30), options.AuditPoll);
        Assert.Equal(TimeSpan.FromMinutes(8), options.AuditSlice);
        Assert.Null(options.ReconcileSlice); // the standalone host runs each reconciliation to its end
        Assert.Null(options.LookupConcurrency); // sized from the portal's pace
        Assert.Equal(500, options.PageSize);
    }

    [Fact]
    public void Set_keys_are_read()
    {
        var options = Read(("Sync:AuditSchedule", "0 */2 * * * *"), ("Sync:AuditPollSeconds", "5"), ("Sync:AuditSliceMinutes", "4.5"),
            ("Sync:ReconcileSliceMinutes", "6"));
        Assert.Equal(TimeSpan.FromMinutes(6), options.ReconcileSlice);
        Assert.Equal("0 */2 * * * *", options.AuditSchedule);
        Assert.Equal(TimeSpan.FromSeconds(5), options.AuditPoll);
        Assert.Equal(TimeSpan.FromMinutes(4.5), options.AuditSlice);
    }

    [Fact]
    public void The_audit_holds_a_lease_of_its_own()
    {
        Assert.Equal(TimeSpan.FromMinutes(2), Read().AuditLease);
        var options = Read(("Sync:AuditLeaseSeconds", "45"), ("Sync:ReconcileLeaseSeconds", "300"));
        Assert.Equal(TimeSpan.FromSeconds(45), options.AuditLease);
        Assert.Equal(TimeSpan.FromSeconds(300), options.ReconcileLease);
    }

    [Theory]
    [InlineData("Sync:ReconcileSchedule", "every five minutes")]
    [InlineData("Sync:AuditSchedule", "* * * * *")]
    [InlineData("Sync:AuditPollSeconds", "0")]
    [InlineData("Sync:AuditSliceMinutes", "61")]
    [InlineData("Sync:ReconcileSliceMinutes", "0")]
    [InlineData("Sync:ReconcileSliceMinutes", "an hour")]
    [InlineData("Sync:LookupConcurrency", "many")]
    [InlineData("Sync:PageSize", "1001")]
    [InlineData("Sync:AuditLeaseSeconds", "0")]
    [InlineData("Sync:HistoryFrom", "2025-13-01")]
    [InlineData("Sync:HistoryFrom", "0001-01-01")]
    [InlineData("Sync:HistoryFrom", "2100-01-01")]
    public void A_bad_value_stops_the_start_with_a_message_naming_the_key(string key, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Read((key, value)));
        Assert.StartsWith(key + " '" + value + "'", error.Message);
    }

    [Fact]
    public void Sync_HistoryFrom_outside_the_supported_dates_names_the_range()
    {
        Assert.Contains("1970-01-01 to 2099-12-31", Assert.Throws<OptionsValidationException>(() => Read(("Sync:HistoryFrom", "1969-12-31"))).Message);
        Assert.Equal(new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.FromHours(7)), Read(("Sync:HistoryFrom", "1970-01-01")).HistoryFrom);
    }
}
