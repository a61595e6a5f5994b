using DvcSync.Core.Dossiers;

namespace DvcSync.UnitTests.Core;

public class VnTimeTests
{
    [Fact]
    public void Parses_wire_dates_as_Vietnam_local_time()
    {
        Assert.True(VnTime.TryParse("20250115093012", out var at));
        Assert.Equal(new DateTimeOffset(2025, 1, 15, 2, 30, 12, TimeSpan.Zero), at.ToUniversalTime());
        Assert.Equal(TimeSpan.FromHours(7), at.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("20250115")]
    [InlineData("2025-13-45")]
    [InlineData("20251345093012")]
    [InlineData("20250230120000")]
    [InlineData("2025011509301x")]
    [InlineData("2025-01-15T09:30:12+07:00")]
    public void Rejects_malformed_dates(string text) => Assert.False(VnTime.TryParse(text, out _));

    [Fact]
    public void The_day_is_the_Vietnamese_calendar_day_not_the_UTC_one()
    {
        // 23:30 UTC on 14 January is 06:30 on 15 January in Hanoi.
        var at = new DateTimeOffset(2025, 1, 14, 23, 30, 0, TimeSpan.Zero);
        Assert.Equal(new DateOnly(2025, 1, 15), VnTime.Day(at));
        Assert.Equal("20250115063000", VnTime.Format(at));
        Assert.Equal("2025-01-15T06:30:00+07:00", VnTime.FormatIso(at));
    }

    [Fact]
    public void Format_round_trips()
    {
        Assert.True(VnTime.TryParse("20251231235959", out var at));
        Assert.Equal("20251231235959", VnTime.Format(at));
    }
}
